#!/usr/bin/env bash
# Reproduce every table of docs/benchmarks.md and docs/equivalence.md (CPU, 2 threads).
# Each step is one short run under the shared lock so that timings are taken on a quiet machine.
# Usage: experiments/run_benchmarks.sh [OUT_DIR]   (default docs/results)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/results}
PY=${PYTHON:-python}
LOCK=${LOCK:-/tmp/stgcn-heavy.lock}
bench() { flock "$LOCK" "$PY" -m stgcn_pyg bench --threads 2 "$@"; }

# 1. Equivalence: every layout x strategy x max_hop, float32/float64, every path, layer + model.
"$PY" -m stgcn_pyg bench --full --only equivalence --threads 1 --out "$OUT/equivalence"
# 2. Seed preset at batch 64 x 3 x 80 x 25: every backend incl. the notebook's own model, eager.
bench --full --only models --presets seed --compile off --repeats 9 --out "$OUT/seed_eager"
# 3. Seed preset, torch.compile on (MP fused vs dense vs notebook).
bench --full --only models --presets seed --compile on --backends mp-fused dense notebook \
  --workloads inference train_step --repeats 7 --out "$OUT/seed_compiled"
# 4. The authors' network (stgcn preset), batch 64, eager and compiled.
bench --full --only models --presets stgcn --compile off --backends mp-fused dense \
  --workloads inference train_step --repeats 5 --out "$OUT/stgcn_eager"
bench --full --only models --presets stgcn --compile on --backends mp-fused dense --batch 16 \
  --workloads inference train_step --repeats 3 --out "$OUT/stgcn_compiled"
# 5. Layers of both presets, every backend, eager and compiled.
bench --full --only layers --backends mp-fused mp-edge mp-scatter dense --compile off \
  --batch 32 --out "$OUT/layers"
# 6. Scaling: graph size (random trees up to V = 1600), batch and frames.
bench --full --only scaling --backends mp-fused mp-edge mp-scatter dense --repeats 5 \
  --out "$OUT/scaling"
PYTHONPATH=. "$PY" experiments/collect_docs.py "$OUT"
