"""Generate an image with Easel through the official OpenAI Python SDK.

    EASEL_URL=http://127.0.0.1:8000 EASEL_TOKEN=esl_… python openai_sdk.py "a red kite"

The SDK needs only a different base URL and an Easel token as the key; ``model`` is any
Easel model id (``GET /v1/models`` lists them).
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

from openai import OpenAI


def main() -> None:
    prompt = sys.argv[1] if len(sys.argv) > 1 else "a lighthouse on a stormy sea"
    model = os.environ.get("EASEL_MODEL", "offline/procedural")
    client = OpenAI(base_url=f"{os.environ['EASEL_URL']}/v1", api_key=os.environ["EASEL_TOKEN"])

    print("models:", ", ".join(m.id for m in client.models.list().data))
    result = client.images.generate(
        model=model, prompt=prompt, size="512x512", response_format="b64_json"
    )
    assert result.data and result.data[0].b64_json
    out = Path("easel-openai.png")
    out.write_bytes(base64.b64decode(result.data[0].b64_json))
    print(f"saved {out}")

    # Streaming: partial images (from the model's previews), then the final image.
    stream = client.images.generate(
        model=model, prompt=prompt, size="256x256", stream=True, partial_images=2
    )
    for event in stream:
        print(event.type)


if __name__ == "__main__":
    main()
