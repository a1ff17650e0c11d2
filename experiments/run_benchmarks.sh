#!/usr/bin/env bash
# Reproduce every table of docs/benchmarks.md and docs/equivalence.md (CPU, 2 threads), then
# copy the tables and plots into docs/ (experiments/collect_docs.py).
# Each timing step is one run under the shared lock so that it is taken on a quiet machine.
# Usage: experiments/run_benchmarks.sh [OUT_DIR]   (default docs/results)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-docs/results}
PY=${PYTHON:-python}
LOCK=${LOCK:-/tmp/stgcn-heavy.lock}
export PYTHONPATH=${PYTHONPATH:-.}
bench() { flock "$LOCK" "$PY" -m stgcn_pyg bench --threads 2 --full "$@"; }

# 1. Equivalence: every layout x strategy x max_hop, float32/float64, every path, layer + model.
"$PY" -m stgcn_pyg bench --full --only equivalence --threads 1 --out "$OUT/equivalence"
# 2. Seed preset at batch 64 x 3 x 80 x 25 vs dense and the notebook's own model, eager.
bench --only models --presets seed --compile off --backends mp-fused dense notebook \
  --workloads inference train_step --repeats 7 --out "$OUT/seed_eager"
# 3. The authors' network (stgcn preset), batch 64, eager.
bench --only models --presets stgcn --compile off --backends mp-fused dense \
  --workloads inference train_step --repeats 3 --out "$OUT/stgcn_eager"
# 4. Seed preset under torch.compile.
bench --only models --presets seed --compile on --backends mp-fused dense \
  --workloads inference train_step --repeats 5 --out "$OUT/seed_compiled"
# 5. Scaling: graph size (random trees up to V = 2400), batch and frames.
bench --only scaling --backends mp-fused mp-edge mp-scatter dense --repeats 3 \
  --sizes 25 100 400 1200 1600 2400 --out "$OUT/scaling"
# Not run for the committed tables (time): every backend x workload x compile mode, both
# presets, and the layer table:   stgcn-pyg bench --full --out runs/bench
"$PY" experiments/collect_docs.py "$OUT"
