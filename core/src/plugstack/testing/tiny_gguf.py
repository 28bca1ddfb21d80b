"""Write a tiny llama-architecture GGUF model for tests: real llama.cpp inference in a second.

No model hub is reachable from CI, so tests of GGUF-serving providers build their model:
an SPM vocabulary with byte fallback (any text tokenizes), a ChatML chat template in the
metadata, two F32 layers and weights drawn from a fixed seed. The file is about 550 kB
and takes a fraction of a second to write; llama.cpp generates the same tokens from it
in every process. Its answers are gibberish: fine for testing plumbing, not quality.

Two nudges make it a better test subject. ``token_bias`` raises the logits of chosen
tokens, by default ``"`` and ``}``, so that grammar-constrained JSON (strings, objects,
tool-call arguments) closes within tens of tokens rather than hundreds. And the 256 byte
tokens are biased down, so that the model writes ASCII rather than invalid UTF-8 (which
llama-cpp-python's streaming holds back until it decodes). The biases ride on residual
dimension 0, which every token embedding sets to a constant and only output rows of
biased tokens read.

``gguf`` and ``numpy`` are imported inside :func:`write_tiny_gguf`, so importing this
module costs nothing (pip install ``gguf`` to use it).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

__all__ = ["CHAT_TEMPLATE", "DEFAULT_TOKEN_BIAS", "TINY_CONTEXT_LENGTH", "write_tiny_gguf"]

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
TINY_CONTEXT_LENGTH = 8192
DEFAULT_TOKEN_BIAS: Mapping[str, float] = {'"': 1.0, "}": 1.0}

_BIAS_CARRIER = 4.0
_BYTE_TOKEN_BIAS = -3.0
_CONTROL_TOKENS = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
_WORDS = (
    "the a an and of to in is it you that he was for on are with as I his they be at one have this from "
    "or had by hot word but what some we can out other were all there when up use your how said each she "
    "hello world yes no true false name city weather paris london answer question model tool call json"
).split()
_PIECES = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?'\"{}[]()-_/ ")


def write_tiny_gguf(
    path: str | Path,
    *,
    seed: int = 0,
    n_layers: int = 2,
    n_embd: int = 64,
    n_head: int = 4,
    n_head_kv: int = 2,
    n_ff: int = 128,
    weight_scale: float = 0.5,
    chat_template: str | None = CHAT_TEMPLATE,
    token_bias: Mapping[str, float] | None = None,
) -> Path:
    """Write the model to ``path`` and return it. Same arguments, same bytes."""
    import gguf
    import numpy as np

    path = Path(path)
    rng = np.random.default_rng(seed)
    tokens, scores, types = _vocabulary(gguf.TokenType)
    n_vocab = len(tokens)
    head_dim = n_embd // n_head

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("plugstack-tiny-llama")
    writer.add_context_length(TINY_CONTEXT_LENGTH)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layers)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(_CONTROL_TOKENS.index("<|im_end|>"))
    writer.add_add_bos_token(True)
    writer.add_add_space_prefix(False)
    if chat_template is not None:
        writer.add_chat_template(chat_template)

    def weights(*shape: int) -> object:
        return (rng.standard_normal(shape) * weight_scale / np.sqrt(shape[-1])).astype(np.float32)

    ones = np.ones(n_embd, dtype=np.float32)
    embeddings = (rng.standard_normal((n_vocab, n_embd)) * weight_scale).astype(np.float32)
    embeddings[:, 0] = _BIAS_CARRIER
    writer.add_tensor("token_embd.weight", embeddings)
    for layer in range(n_layers):
        prefix = f"blk.{layer}."
        writer.add_tensor(prefix + "attn_norm.weight", ones)
        writer.add_tensor(prefix + "attn_q.weight", weights(n_embd, n_embd))
        writer.add_tensor(prefix + "attn_k.weight", weights(n_head_kv * head_dim, n_embd))
        writer.add_tensor(prefix + "attn_v.weight", weights(n_head_kv * head_dim, n_embd))
        writer.add_tensor(prefix + "attn_output.weight", weights(n_embd, n_embd))
        writer.add_tensor(prefix + "ffn_norm.weight", ones)
        writer.add_tensor(prefix + "ffn_gate.weight", weights(n_ff, n_embd))
        writer.add_tensor(prefix + "ffn_up.weight", weights(n_ff, n_embd))
        writer.add_tensor(prefix + "ffn_down.weight", weights(n_embd, n_ff))
    writer.add_tensor("output_norm.weight", ones)
    output = weights(n_vocab, n_embd) * 8
    output[:, 0] = 0.0
    output[len(_CONTROL_TOKENS) : len(_CONTROL_TOKENS) + 256, 0] = _BYTE_TOKEN_BIAS
    for text, bias in (DEFAULT_TOKEN_BIAS if token_bias is None else token_bias).items():
        output[tokens.index(text.replace(" ", "\u2581")), 0] = bias
    writer.add_tensor("output.weight", output)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _vocabulary(token_type: type) -> tuple[list[str], list[float], list[int]]:
    """Control tokens, the 256 byte tokens, then words and characters (longer scores higher)."""
    tokens = list(_CONTROL_TOKENS)
    types = [token_type.UNKNOWN] + [token_type.CONTROL] * (len(_CONTROL_TOKENS) - 1)
    scores = [0.0] * len(_CONTROL_TOKENS)
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>")
        types.append(token_type.BYTE)
        scores.append(0.0)
    pieces = [p.replace(" ", "\u2581") for p in _PIECES] + ["\u2581" + w for w in _WORDS] + _WORDS
    for piece in dict.fromkeys(pieces):
        tokens.append(piece)
        types.append(token_type.NORMAL)
        scores.append(float(len(piece)) - 100.0)
    return tokens, scores, [int(t) for t in types]
