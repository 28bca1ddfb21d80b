"""Retrieval helpers shared by the vector stores router and vector backends.

Backend-independent pieces: text extraction from uploaded files (:mod:`.extract`), token
chunking (:mod:`.chunking`), OpenAI attribute filters (:mod:`.filters`) and reciprocal rank
fusion for hybrid search (:mod:`.fusion`).
"""
