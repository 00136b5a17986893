"""Canonical task names (HF pipeline-tag style) and their coarse task domain.

Domains: text, vision, speech, code, multimodal, and "other" for a task not in ``TASK_DOMAIN``
(``task_domain``). The prior is conditioned on the domain. Adapters use these names.
"""
from __future__ import annotations

TASK_DOMAIN: dict[str, str] = {
    # text (LLM and NLP benchmarks)
    "multiple-choice-qa": "text", "question-answering": "text", "math-reasoning": "text",
    "reasoning": "text", "instruction-following": "text", "chat": "text",
    "text-generation": "text", "summarization": "text", "translation": "text",
    "text-classification": "text", "token-classification": "text", "natural-language-inference": "text",
    "language-modeling": "text", "long-context": "text", "safety": "text", "tool-use": "text",
    "agent": "text", "knowledge": "text", "reading-comprehension": "text", "fill-mask": "text",
    # text embeddings (MTEB)
    "retrieval": "text", "reranking": "text", "clustering": "text", "sts": "text",
    "pair-classification": "text", "bitext-mining": "text", "multilabel-classification": "text",
    "instruction-retrieval": "text", "embedding": "text",
    # code
    "code-generation": "code", "code-editing": "code",
    # vision
    "image-classification": "vision", "object-detection": "vision", "instance-segmentation": "vision",
    "semantic-segmentation": "vision", "panoptic-segmentation": "vision", "pose-estimation": "vision",
    "video-classification": "vision", "optical-flow": "vision", "depth-estimation": "vision",
    "3d-object-detection": "vision", "3d-segmentation": "vision", "rotated-object-detection": "vision",
    "text-recognition": "vision", "text-detection": "vision", "key-information-extraction": "vision",
    "image-retrieval": "vision", "action-localization": "vision", "tracking": "vision",
    "adversarial-robustness": "vision", "graph-property-prediction": "other",
    # multimodal
    "zero-shot-image-classification": "multimodal", "image-text-retrieval": "multimodal",
    "text-to-image": "multimodal", "visual-question-answering": "multimodal",
    "image-to-text": "multimodal", "any-to-any-retrieval": "multimodal", "vision-chat": "multimodal",
    "linear-probe-classification": "vision",
    # speech / audio
    "automatic-speech-recognition": "speech", "audio-classification": "speech",
    "audio-retrieval": "speech", "audio-clustering": "speech",
}
DOMAINS = ("text", "vision", "speech", "code", "multimodal", "other")


def task_domain(task: str) -> str:
    """Coarse domain of a canonical task; 'other' when unknown."""
    return TASK_DOMAIN.get(task, "other")
