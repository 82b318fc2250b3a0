"""Spoken guidance for the visitor: pre-rendered prompts played with QtMultimedia.

See docs/voice.md.
"""

from ui.voice.catalogue import PROMPTS, prompt_for
from ui.voice.guide import VoiceGuide

__all__ = ["PROMPTS", "VoiceGuide", "prompt_for"]
