"""Secrets never reach logs or output: credentials in a base URL, and a key an error message quotes."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from docgap.errors import GenerationError, ProviderConfigError
from docgap.limits import Limits
from docgap.providers.base import TargetContext
from docgap.providers.credentials import mask, split_credentials
from docgap.providers.openai import OpenAIProvider
from docgap.settings import Settings
from docgap.targets import Target
from docgap.validate import validate
from fake_openai import FakeOpenAI, Reply
from reliability_helpers import BIN, KEY, files_containing, model_env, synthetic_project

PASSWORD = "hunter2-s3cr3t-pw"
LONG_KEY = "sk-proj-" + "".join(hashlib.sha256(bytes([i])).hexdigest() for i in range(3))[:156]
"""As long as an OpenAI project key: 240 characters and this pass the 300 errors are cut to."""
TARGET = Target(path="pkg.area", kind="function", key="k", source="def area():\n    return 3.14\n")
BASIC = "Basic " + base64.b64encode(f"docs-user:{PASSWORD}".encode()).decode()


def shows_part_of(text: str, secret: str) -> bool:
    """Whether `text` shows 8 consecutive characters of `secret`, whitespace inserted or not."""
    compact = re.sub(r"\s+", "", text)
    return any(secret[i:i + 8] in compact for i in range(len(secret) - 7))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    for name in ("OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI() as fake:
        yield fake


def with_credentials(url: str) -> str:
    return url.replace("http://", f"http://docs-user:{PASSWORD}@")


def generate(settings: Settings) -> object:
    async def run() -> object:
        provider = OpenAIProvider(settings, Limits(), azure=settings.provider == "azure")
        try:
            return await provider.generate(TARGET, TargetContext(), lambda data: validate(data, TARGET))
        finally:
            await provider.aclose()

    return asyncio.run(run())


@pytest.mark.parametrize("where", ["base_url", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT"])
def test_credentials_in_the_base_url_travel_as_a_header_and_are_never_logged(
        server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, where: str) -> None:
    settings = Settings().replace(provider="openai", model="m", max_retries=1)
    if where == "base_url":
        settings = settings.replace(base_url=with_credentials(server.url))
    elif where == "OPENAI_BASE_URL":
        monkeypatch.setenv("OPENAI_BASE_URL", with_credentials(server.url))
    else:
        monkeypatch.setenv(where, with_credentials(server.azure_endpoint))
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_API_VERSION", "2024-10-21")
        settings = settings.replace(provider="azure")
    server.script(Reply(status=500, headers={"retry-after-ms": "10"}, error="try again"))  # the SDK logs retries
    with caplog.at_level(logging.DEBUG):  # every logger, as a host that turns on verbose logging
        generate(settings)
    assert "HTTP Request: POST http://127.0.0.1" in caplog.text  # the client did log each request's URL
    assert PASSWORD not in caplog.text and BASIC.split()[1] not in caplog.text
    assert [r.headers["authorization"] for r in server.requests] == [BASIC, BASIC]
    assert all("@" not in r.headers["host"] for r in server.requests)


def test_credentials_follow_the_rule_for_keys_over_plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = Settings().replace(provider="openai", model="m",
                                  base_url=f"http://docs-user:{PASSWORD}@models.example.com/v1")
    with pytest.raises(ProviderConfigError, match="plain HTTP") as info:
        OpenAIProvider(settings, Limits())
    assert PASSWORD not in str(info.value)
    assert split_credentials("https://api.example.com/v1").authorization is None
    decoded = split_credentials("https://a:b%40c@api.example.com/v1")
    assert decoded.url == "https://api.example.com/v1" and decoded.secrets[1] == "b@c"


@pytest.mark.parametrize("quoted", [
    "x" * 240 + " " + LONG_KEY,  # cut at 300 characters in the middle of the key
    f"key {LONG_KEY[:12]}\n{LONG_KEY[12:]} was rejected",  # wrapped
    f"key ending {LONG_KEY[-9:]} is invalid",  # partly quoted
])
def test_a_key_quoted_in_an_error_is_masked_before_it_is_cut(server: FakeOpenAI, quoted: str,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", LONG_KEY)
    server.script(Reply(status=401, error=quoted))
    with caplog.at_level(logging.DEBUG), pytest.raises(GenerationError) as info:
        generate(Settings().replace(provider="openai", model="m", base_url=server.url))
    assert "401" in info.value.reason and "***" in info.value.reason
    assert not shows_part_of(info.value.reason, LONG_KEY) and not shows_part_of(caplog.text, LONG_KEY)


def test_mask_leaves_other_text_alone() -> None:
    assert mask(f"no secret here, {KEY[:7]}", (KEY,)) == f"no secret here, {KEY[:7]}"
    assert mask(f"a {KEY} b {KEY[3:20]} c", (KEY,)) == "a *** b *** c"
    assert mask(f"pw={PASSWORD[:5]}", (PASSWORD,)) == f"pw={PASSWORD[:5]}"  # 5 characters say nothing


@pytest.mark.slow
@pytest.mark.parametrize("quoted", ["x" * 240 + " " + LONG_KEY, f"Incorrect API key {LONG_KEY[:10]}\n{LONG_KEY[10:]}"])
def test_fill_json_and_log_never_show_the_key(tmp_path: Path, quoted: str) -> None:
    project = synthetic_project(tmp_path, 3, max_retries=0, max_attempts=1)
    with FakeOpenAI() as server:
        server.default = Reply(status=401, error=quoted)
        env = {**model_env(server.url), "OPENAI_API_KEY": LONG_KEY}
        proc = subprocess.run([str(BIN / "docgap"), "fill", "--provider", "openai", "--model", "fake-model",
                               "--json", "-v"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    failed = json.loads(proc.stdout)["failed"]
    assert len(failed) == 3 and all("401" in f["reason"] and "***" in f["reason"] for f in failed)
    assert "401" in proc.stderr  # the log names each failure
    assert not shows_part_of(proc.stdout + proc.stderr, LONG_KEY)
    assert files_containing(project, LONG_KEY[:8]) == []
