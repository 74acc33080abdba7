"""The disk's floor for bench/build.sh and bench/scale.sh: the files of a built output
written again by a plain loop (no rendering), RUNS times, each after deleting the last
copy, as a clean build does. Prints "N files, median S s; runs: ...".

    python3 bench/disk_floor.py BUILT_OUTPUT TARGET RUNS
"""
import os
import shutil
import sys
import time

source, target, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = []
for folder, _, names in os.walk(source):
    for name in names:
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            files.append((os.path.relpath(path, source), f.read()))
times = []
for _ in range(runs):
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    for rel, data in files:
        path = os.path.join(target, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    times.append(time.perf_counter() - started)
shutil.rmtree(target, ignore_errors=True)
print(f"{len(files)} files, median {sorted(times)[len(times) // 2]:.2f} s; runs: {' '.join(f'{t:.2f}' for t in times)}")
