"""`easel edit`, `easel upscale` and `easel remove-bg`, run as a user runs them: on local
files, embedded in a data dir, saving the results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from easel.imaging import default_feather
from support.pictures import beyond, disc_mask, painted, subject_on_backdrop

from .test_cli import easel


def test_upscale_remove_bg_and_inpaint_local_files(tmp_path: Path) -> None:
    data, out = str(tmp_path / "data"), tmp_path / "out"
    source = painted(size=(128, 96), seed=41)
    mask = disc_mask(source.size, (0.2, 0.2, 0.6, 0.8))
    source.save(tmp_path / "photo.png")
    mask.save(tmp_path / "mask.png")
    subject_on_backdrop(96).save(tmp_path / "subject.png")
    common = ("--data-dir", data, "-m", "offline/procedural")

    upscaled = easel(
        "upscale", "photo.png", "--factor", "4", "--out", str(out / "up"), *common, cwd=tmp_path
    )
    assert upscaled.returncode == 0, upscaled.stderr + upscaled.stdout
    [big] = (out / "up").glob("*.png")
    assert Image.open(big).size == (512, 384)

    cut = easel("remove-bg", "subject.png", "--out", str(out / "cut"), *common, cwd=tmp_path)
    assert cut.returncode == 0, cut.stderr + cut.stdout
    [png] = (out / "cut").glob("*.png")
    alpha = np.asarray(Image.open(png).getchannel("A"))
    assert alpha[0, 0] == 0 and alpha[48, 40] == 255

    edited = easel(
        "edit",
        "photo.png",
        "a pond",
        "--mask",
        "mask.png",
        "--out",
        str(out / "ed"),
        *common,
        cwd=tmp_path,
    )
    assert edited.returncode == 0, edited.stderr + edited.stdout
    [inpainted] = (out / "ed").glob("*.png")
    pixels = np.asarray(Image.open(inpainted).convert("RGB"))
    outside = beyond(mask, default_feather(source.size))
    assert (pixels[outside] == np.asarray(source)[outside]).all()

    refused = easel("upscale", "photo.png", "--factor", "3", *common, cwd=tmp_path)
    assert refused.returncode == 1 and "factor" in refused.stderr
    assert "Traceback" not in refused.stderr
