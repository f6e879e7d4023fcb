#!/bin/sh
# The side-by-side table of issue 35, as resumable one-thread runs in lanes:
#   sh bench/trees-table.sh DIR [LANES] [SEEDS]
# DIR keeps one .csv (metrics on every ground-truth kind, wall and CPU seconds)
# and one .rds (edges) per dataset x method x seed; a finished run is skipped,
# so the same command continues where a stopped one left off. LANES (default
# 2) runs at once, each on one thread. SEEDS default "1 2 3". Then:
#   Rscript bench/trees.R summarise DIR
# Run from the package's source directory with grntorch, ranger and lightgbm
# installed. The script copies bench/trees.R first: R reads a script as it
# runs, so editing it under running jobs would break them.
set -e
dir=${1:?usage: sh bench/trees-table.sh DIR [LANES] [SEEDS]}
lanes=${2:-2}
seeds=${3:-1 2 3}
mkdir -p "$dir"
cp bench/trees.R "$dir/trees.R"
jobs="$dir/jobs.txt"
: > "$jobs"
# The table's methods for every seed first, longest runs first (they pack
# best into the lanes), then the extra columns (DAZZLE, RegDiffusion).
for group in "genie3 grnboost2 deepsem deepsem_ns infosem_b infosem_b_ns pearson" "dazzle regdiffusion"; do
  for s in $seeds; do
    for m in $group; do
      for d in mESC hHEP mDC mHSC-L; do
        case "$m" in infosem_b*) if [ "$d" != mESC ]; then continue; fi;; esac   # BioBERT embeddings exist for mESC only
        if [ -f "$dir/$d-$m-s$s.csv" ]; then continue; fi
        echo "$d $m $s" >> "$jobs"
      done
    done
  done
done
echo "$(wc -l < "$jobs") runs to do in $dir, $lanes at a time"
export GRN_TABLE_DIR="$dir"
xargs -P "$lanes" -L 1 sh -c 'BENCH_THREADS=1 OMP_WAIT_POLICY=passive Rscript "$GRN_TABLE_DIR/trees.R" fit "$0" "$1" "$2" "$GRN_TABLE_DIR" > "$GRN_TABLE_DIR/log-$0-$1-$2.txt" 2>&1; echo "$(date +%T) $0 $1 $2 rc=$?" >> "$GRN_TABLE_DIR/done.txt"' < "$jobs"
