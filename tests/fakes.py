"""A scripted fake model that speaks the real OpenAI chat-completions interface.

It stands where ``openai.OpenAI().chat.completions.create`` stands, so instructor's real
parsing, validation and re-asking run against it: only the network and the model are fake.
Each call pops the next scripted answer (a dict, a JSON string, an exception, or a function of
the request kwargs).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from openai.types.chat import ChatCompletion

Answer = dict[str, Any] | str | BaseException | Callable[[dict[str, Any]], Any]


def completion(
    arguments: str, *, finish: str = "tool_calls", model: str = "fake-model"
) -> ChatCompletion:
    """A ChatCompletion whose single forced tool call carries ``arguments``."""
    return ChatCompletion.model_validate(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "ArticleDraft", "arguments": arguments},
                            }
                        ],
                    },
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        }
    )


class ScriptedModel:
    """Answers from a script; records every request it was sent."""

    def __init__(self, *answers: Answer, repeat_last: bool = False) -> None:
        self.answers = list(answers)
        self.repeat_last = repeat_last
        self.requests: list[dict[str, Any]] = []

    def _next(self, kwargs: dict[str, Any]) -> ChatCompletion:
        self.requests.append(kwargs)
        if not self.answers:
            raise AssertionError("the scripted model ran out of answers")
        answer = (
            self.answers[0] if self.repeat_last and len(self.answers) == 1 else self.answers.pop(0)
        )
        if callable(answer) and not isinstance(answer, BaseException):
            answer = answer(kwargs)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, ChatCompletion):
            return answer
        return completion(answer if isinstance(answer, str) else json.dumps(answer))

    def create(self, **kwargs: Any) -> ChatCompletion:
        return self._next(kwargs)

    async def acreate(self, **kwargs: Any) -> ChatCompletion:
        return self._next(kwargs)


def merge_answer(kwargs: dict[str, Any], label: Callable[[str], str] = str) -> Any:
    """A scripted model's answer to the merge's calls (each listed id gets ``label(id)``; no
    disagreements) and to the summary (one sentence citing the first item); None for any
    other request."""
    tool = kwargs["tools"][0]["function"]["name"]
    user = kwargs["messages"][-1]["content"]
    if tool == "Labels":
        ids = re.findall(r"^([PCQFA]\d+) ", user, re.MULTILINE)
        return {"labels": [{"id": i, "label": label(i)} for i in ids]}
    if tool == "Disagreements":
        return {"disagreements": []}
    if tool == "SummaryDraft":
        first = re.findall(r"^(\w+\d+) ", user, re.MULTILINE)[0]
        return {"title": "T", "sentences": [{"text": "Outlets differ.", "items": [first]}]}
    return None
