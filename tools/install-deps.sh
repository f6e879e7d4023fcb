#!/bin/sh
# Install every system and R dependency grntorch, its tests and its demo need,
# from Debian's archive. Idempotent: quiet and fast when everything is present.
set -e

PKGS="r-base-dev cmake make g++ pkg-config
libtorch-dev libopenblas0-openmp catch2
r-cran-rcpp r-cran-rcppeigen r-cran-matrix r-cran-igraph
r-cran-testthat r-cran-roxygen2 r-cran-knitr r-cran-rmarkdown pandoc
r-cran-seuratobject r-cran-seurat r-bioc-singlecellexperiment r-bioc-summarizedexperiment
r-bioc-biocparallel r-cran-batchtools r-cran-rocr r-cran-ggplot2 r-cran-ggraph r-cran-ggrepel
r-bioc-org.hs.eg.db r-bioc-go.db r-bioc-annotationdbi r-bioc-bioccheck
r-cran-ranger r-cran-r6 r-cran-data.table r-cran-jsonlite"

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# LibTorch must use an optimised BLAS: Debian's reference BLAS is ~20x slower.
# Make OpenBLAS (OpenMP flavour) the active libblas.so.3 alternative.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
ob="/usr/lib/$arch/openblas-openmp/libblas.so.3"
if [ -e "$ob" ]; then
  cur=$(readlink -f "/usr/lib/$arch/libblas.so.3" 2>/dev/null || true)
  if [ "$cur" != "$(readlink -f "$ob")" ]; then
    ${SUDO:-} update-alternatives --set "libblas.so.3-$arch" "$ob" >/dev/null
    echo "install-deps: libblas.so.3 -> OpenBLAS (openmp)"
  fi
  ol="/usr/lib/$arch/openblas-openmp/liblapack.so.3"
  if [ -e "$ol" ]; then
    cur=$(readlink -f "/usr/lib/$arch/liblapack.so.3" 2>/dev/null || true)
    if [ "$cur" != "$(readlink -f "$ol")" ]; then
      ${SUDO:-} update-alternatives --set "liblapack.so.3-$arch" "$ol" >/dev/null
    fi
  fi
fi

# genie3() runs on r-cran-ranger (above); grnboost2() on 'lightgbm', which
# Debian does not ship: built from CRAN's source once (a few minutes), into
# the default library, unless R already has it.
if ! Rscript -e 'quit(status = !requireNamespace("lightgbm", quietly = TRUE))' >/dev/null 2>&1; then
  echo "install-deps: installing R package lightgbm from CRAN (source; a few minutes)"
  RSUDO=""
  if [ "$(id -u)" -ne 0 ]; then RSUDO="sudo MAKEFLAGS=${MAKEFLAGS:--j2}"; fi
  MAKEFLAGS="${MAKEFLAGS:--j$(nproc 2>/dev/null || echo 2)}" $RSUDO Rscript -e 'install.packages("lightgbm", repos = "https://cloud.r-project.org", quiet = TRUE); quit(status = !requireNamespace("lightgbm", quietly = TRUE))' >/dev/null 2>&1 ||
    echo "install-deps: could not install lightgbm (grnboost2() and its tests will be skipped)" >&2
fi
exit 0
