# The resource planner: predicted peak memory (and rough run time) of an
# infer_grn() call from the sizes alone, before anything is made dense.
#
# Peak RSS of the process = base (the R process as it is now, less the input;
#     at least R with grntorch and LibTorch loaded: .plan_base())
#   + the input `x` (already resident in the user's session)
#   + the dense expression infer_grn() builds (genes x cells doubles, alive
#     until the graph is returned)
#   + the larger of
#     - the model's own term (.plan_method(), one S3 method per model: what
#       the engine allocates, see the comments of each method, and the R-side
#       copies of its result), and
#     - the output stage: the regulators x genes score matrix and, for every
#       pair kept, one row of the edge data.frame and one igraph edge
#   (the engine's memory is freed before the edges are built).
# The constants are bytes per element, fitted to peak RSS measured on fresh
# Rscript processes (bench/resources.R prints predicted against measured).

# Measured constants (bytes, or seconds on 2 threads of the development
# machine).  See bench/resources.R.
#' @noRd
.plan_constants <- list(
  base = 216.5e6,        # VmHWM of Rscript -e 'library(grntorch)' with the engine loaded
  expr = 8,              # bytes per gene x cell of the dense expression (doubles, alive to the end)
  edge = 200,            # bytes per pair kept: C++ selection, data.frame columns, igraph edge (top-k path)
  score = 8,             # bytes per regulator x gene of the score matrix
  edge_s = 2e-6          # seconds per pair kept in the output stage
)

#' @noRd
.plan_method <- function(method, dims) UseMethod(".plan_method")

#' @noRd
.plan_method.default <- function(method, dims) {
  # Unknown model: the dense expression and the output only.
  list(bytes = 0, epoch_seconds = NA_real_, epochs = NA_integer_, seconds = NA_real_, advice = character())
}

# Concurrent runs of an ensemble: runs spread over BiocParallel workers each
# hold a model at the same time; run one after the other, one at a time.
#' @noRd
.plan_workers <- function(method) {
  p <- method$params
  n <- if (is.null(p$n_runs)) 1L else p$n_runs
  bp <- method$BPPARAM
  if (is.null(bp) || n <= 1L) return(1L)
  w <- tryCatch(BiocParallel::bpnworkers(bp), error = function(e) 1L)
  max(1L, min(n, w))
}

# Threads each run gets: `threads`, or 1 in the workers of a forking
# back-end (as .run_ensemble() runs them).
#' @noRd
.plan_run_threads <- function(method) {
  p <- method$params
  t <- if (is.null(p$threads)) 2L else p$threads
  if (.plan_workers(method) > 1L) .worker_threads(method$BPPARAM, t) else t
}

# Run time on `threads` relative to the 2 threads the constants were measured
# on, by Amdahl's law with a `serial` share of the time.
#' @noRd
.plan_thread_factor <- function(threads, serial) {
  (serial + (1 - serial) / threads) / (serial + (1 - serial) / 2)
}

# Extra R-side memory of an ensemble: each run's score matrix is kept until
# the average (plus |.| and the stability matrices).
#' @noRd
.plan_ensemble_bytes <- function(method, dims) {
  n <- method$params$n_runs
  if (is.null(n) || n <= 1L) return(0)
  8 * dims$regulators * dims$genes * (n + 4)
}

# Pearson / Spearman (correlation.cpp): the engine copies the expression to
# float, centres and scales it (Spearman ranks it first) - about 32 bytes per
# gene x cell at that stage - then takes one product regulators x cells %*%
# cells x genes (float) and hands it back as a double regulators x genes
# matrix (16 bytes per pair on top of ~28 per gene x cell still held).
#' @noRd
.plan_method.grn_correlation <- function(method, dims) {
  g <- dims$genes; c <- dims$cells; r <- dims$regulators
  bytes <- max(32 * g * c, 28 * g * c + 16 * r * g)
  secs <- 1e-10 * r * g * c + (if (identical(method$params$type, "spearman")) 3e-7 else 2e-8) * g * c
  list(bytes = bytes, epoch_seconds = NA_real_, epochs = NA_integer_, seconds = secs,
       advice = c("genes", "tfs", "top"))
}

# DeepSEM (deepsem.cpp): n x n float matrices A, its gradient and RMSprop
# state, the off-diagonal mask and eye, I - A^T, its inverse / LU factors
# and the autograd buffers of the solve, plus A returned to R as doubles and
# transposed (together ~60 bytes per n^2); per batch the gene-wise MLPs hold
# batch x genes x hidden activations for backward (~31 bytes per element);
# the encoder cache (cells x genes) and the float copies of the data.
#' @noRd
.plan_method.grn_deepsem <- function(method, dims) .plan_sem(method, dims, extra_n2 = 0, emb_dim = 0)

#' @noRd
.plan_sem <- function(method, dims, extra_n2 = 0, emb_dim = 0, t_extra = 0) {
  p <- method$params
  n <- dims$genes; c <- dims$cells
  b <- min(p$batch_size, c)
  h <- p$hidden
  one <- (60 + extra_n2) * n^2 + 31 * n * b * h + 31 * n * c + 8 * n * emb_dim
  w <- .plan_workers(method)
  bytes <- w * one + .plan_ensemble_bytes(method, dims)
  # Time per batch (fitted to `deepsem_bench --synthetic <n>x1000 --epochs 3`
  # on 2 threads, n = 500-5,000, batch 64 and 128; within ~15% of the R runs
  # of bench/scale.R and bench/deepsem.R): a net epoch's batch runs the
  # gene-wise MLPs forward and backward (n * batch rows through hidden x hidden
  # products) and the batch's products with the n x n (I - A^T)^-1; an A
  # epoch's batch an LU of I - A^T (n^3), the element-wise n x n passes and
  # the MLPs without their weight gradients.  `t_extra`: InfoSEM's n x n prior
  # terms in A steps, as a share of the n x n passes.  An epoch is a pass
  # over every cell, or over cells_per_epoch of them.
  cpe <- if (is.null(p$cells_per_epoch) || p$cells_per_epoch <= 0) c else min(p$cells_per_epoch, c)
  nb <- cpe / b
  cyc <- p$net_epochs + p$adj_epochs
  mlp <- as.numeric(n) * b * h * h / 128  # doubles: n * b * h^2 passes 2^31
  net_batch <- 1.05e-8 * mlp + 1.5e-10 * n^2 * b
  adj_batch <- 2.2e-9 * mlp + 1.6e-8 * (1 + t_extra) * n^2 + 3.5e-12 * n^3
  epoch <- nb * (p$net_epochs * net_batch + p$adj_epochs * adj_batch) / cyc
  # Measured on real 10x data (bench/pbmc.R: 1,111 genes x 3,774 PBMC, idle
  # machine) the constants above were 24% short on 2 threads (5,000 x 50,000
  # planted: 12% short), hence 1.15; and 1 thread took 1.25 x the 2-thread
  # time (203 s against 163 s): Amdahl's law with 60% of the time serial.
  epoch <- epoch * 1.15 * .plan_thread_factor(.plan_run_threads(method), serial = 0.6)
  runs <- if (is.null(p$n_runs)) 1L else p$n_runs
  list(bytes = bytes, epoch_seconds = epoch, epochs = p$epochs,
       seconds = epoch * p$epochs * ceiling(runs / w), advice = c("genes", "batch_size", "cells", "n_runs"))
}

# InfoSEM (infosem.cpp): DeepSEM's training plus the n x n prior mean
# M = H_r w1 + H_t w2 (and its gradient path) in every A step; InfoSEM-BC
# adds the n x n logits La %*% Lb, their sigmoid and gradients.
#' @noRd
.plan_method.grn_infosem <- function(method, dims) {
  p <- method$params
  d <- if (is.matrix(p$embeddings)) ncol(p$embeddings) else 0
  bc <- !is.null(p$prior_edges)
  # Time: InfoSEM-B measured 1.05-1.13 x DeepSEM at 2,500 x 10,000 (bench/scale.R);
  # InfoSEM-BC's low-rank logits are not timed (taken as twice DeepSEM's n x n passes).
  r <- .plan_sem(method, dims, extra_n2 = if (bc) 60 else 20, emb_dim = d + 1, t_extra = if (bc) 1 else 0.3)
  if (isTRUE(p$tune)) {
    k <- length(p$tune_grid$sigma_w) + if (bc) length(p$tune_grid$sigma_l) * p$tune_folds else 0
    ep <- if (is.null(p$tune_epochs)) p$epochs else p$tune_epochs
    r$seconds <- r$seconds + k * ep * r$epoch_seconds
  }
  r
}

# Supervised graph models (supervised.cpp, graph_layers.cpp).  Two stages,
# the peak is the larger: the node features are made first (.plan_features:
# the float copy of the expression, its z-scored double, and with more cells
# than cell_features the truncated SVD), then the model holds the float copy
# (and the z-scored genes x cells when they are the node features or the
# pair-correlation term needs them), the genes x features node features with
# their gradient path, the first graph layer's projection genes x width
# (GENELink: heads x hidden[1]) with its autograd buffers, per-edge
# attention, Adam state, and the regulators x genes logits (in chunks)
# returned as doubles.
#' @noRd
.plan_method.grn_supervised <- function(method, dims) {
  p <- method$params
  n <- dims$genes; c <- dims$cells
  width <- p$hidden[1] * (if (p$model %in% c("genelink") || identical(p$gnn, "gat")) p$heads else 1)
  emb <- if (!is.null(p$embeddings)) ncol(p$embeddings$embeddings) else 0
  fc <- .plan_cell_features(p, n, c)
  keep_z <- fc == c || isTRUE(p$pair_correlation)
  model <- 4 * n * c + (if (keep_z) 4 * n * c else 0) + 8 * n * fc + 10 * n * width + 8 * n * emb +
    12 * dims$regulators * n
  one <- max(.plan_features_bytes(n, c, fc), model)
  w <- .plan_workers(method)
  bytes <- w * one + .plan_ensemble_bytes(method, dims)
  steps <- max(1, ceiling(dims$n_train / p$batch_size))
  # Per step the first graph layer over every gene (n x features x width) and a
  # fixed cost; fitted to GENELink in bench/scale.R (2,500 x 10,000 with 1,000
  # features: 2.0 s per epoch; 1,000 x 1,000: 0.4 s).
  epoch <- steps * (6e-11 * n * fc * width + 1.2e-2) + 2e-9 * dims$n_validation * width
  runs <- p$n_runs
  list(bytes = bytes, epoch_seconds = epoch, epochs = p$epochs,
       seconds = (epoch * p$epochs + .plan_svd_seconds(n, c, fc)) * ceiling(runs / w),
       advice = c("genes", "cells", "tfs", "top"))
}

# The node-feature stage of the graph models (link::standardized and
# link::cell_axis_features): the engine's float copy of the expression, the
# z-scored double copy and its float result (16 bytes per gene x cell); with
# fewer features than cells also the SVD: the smaller Gram matrix and its
# eigen-decomposition (~32 bytes per element), or past 4,096 genes and cells
# the randomized range finder (a few (genes + cells) x (k + 10) doubles).
#' @noRd
.plan_features_bytes <- function(n, c, fc) {
  if (fc == c) return(16 * n * c)
  m <- min(n, c)
  svd <- if (m <= 4096) 32 * m^2 else 24 * (n + c) * (fc + 10)
  16 * n * c + svd
}

# Input features per gene of the supervised models: every cell, or with more
# cells than `cell_features` min(cell_features, genes) principal components.
#' @noRd
.plan_cell_features <- function(p, n, c) {
  k <- if (is.null(p$cell_features)) 0L else p$cell_features
  if (k > 0 && c > k) min(k, n) else c
}

# The truncated SVD behind cell_features (link_trainer.cpp): a Gram matrix and
# its eigen-decomposition in double, ~2 n c min(n, c) + 10 min(n, c)^3 flops
# at ~5 GFLOP/s; 0 when every cell is kept.
#' @noRd
.plan_svd_seconds <- function(n, c, fc) {
  if (fc == c) return(0)
  m <- min(n, c)
  (2 * n * c * m + 10 * m^3) / 5e9
}

# scUniGP (scunigp.cpp): the node-feature stage of the graph models
# (.plan_features_bytes), then the float copy of the expression, the genes x
# features input of the projection and the GNN, the GAT branch's per-gene
# features of every layer with their autograd buffers (measured ~56 kB per
# gene at the default widths, i.e. ~146 bytes per gene and unit of the first
# GAT layer), the pairwise branch's projection of every gene (genes x d_model
# per batch), the prediction over all regulators x genes pairs (pair indices,
# logits and expert logits, ~97 bytes per pair) and a transformer workspace
# (~87 MB, measured at d_model = 64).
#' @noRd
.plan_method.grn_scunigp <- function(method, dims) {
  p <- method$params
  n <- dims$genes; c <- dims$cells
  width <- p$gnn_dims[1] * p$gat_heads
  fc <- .plan_cell_features(p, n, c)
  model <- 4 * n * c + 6 * n * fc + 146 * n * width + 8 * n * p$d_model + 97 * dims$regulators * n +
    8.7e7 * p$d_model / 64
  one <- max(.plan_features_bytes(n, c, fc), model)
  w <- .plan_workers(method)
  bytes <- w * one + .plan_ensemble_bytes(method, dims)
  # Time: the transformer per pair (forward ~1.5e-4 s at the cpu size, ~3x
  # with backward) and the GAT over the whole graph once per step.
  scale <- (p$d_model * p$dim_feedforward) / (64 * 128) * p$n_layers / 2
  steps <- max(1, ceiling(dims$n_train / p$batch_size))
  # (bench/scale.R at 2,500 x 10,000, 1,000 features: 3.0 s per epoch measured.)
  epoch <- 2.5e-4 * scale * dims$n_train + 1.5e-4 * scale * dims$n_validation + steps * 6e-11 * n * fc * width
  predict <- 1.5e-4 * scale * dims$regulators * n
  runs <- p$n_runs
  list(bytes = bytes, epoch_seconds = epoch, epochs = p$epochs + p$pretrain_epochs,
       seconds = (epoch * (p$epochs + p$pretrain_epochs) + predict + .plan_svd_seconds(n, c, fc)) * ceiling(runs / w),
       advice = c("genes", "tfs", "top"))
}

# Baselines (baselines.R): R code on the regulators x genes grid.
#' @noRd
.plan_method.grn_random <- function(method, dims) {
  list(bytes = 24 * dims$regulators * dims$genes, epoch_seconds = NA_real_, epochs = NA_integer_,
       seconds = 5e-8 * dims$regulators * dims$genes, advice = c("tfs", "top"))
}

#' @noRd
.plan_method.grn_onehot_lr <- function(method, dims) {
  list(bytes = 48 * dims$regulators * dims$genes + 400 * dims$n_train,
       epoch_seconds = NA_real_, epochs = NA_integer_,
       seconds = 2e-7 * dims$regulators * dims$genes + 1e-5 * dims$n_train, advice = c("genes", "tfs", "top"))
}

#' @noRd
.plan_method.grn_matcomp <- function(method, dims) {
  list(bytes = 48 * dims$regulators * dims$genes, epoch_seconds = NA_real_, epochs = NA_integer_,
       seconds = 1e-6 * dims$regulators * dims$genes, advice = c("genes", "tfs", "top"))
}

# Bytes of the input matrix as it sits in memory, without touching its values.
#' @noRd
.plan_input_bytes <- function(m) {
  if (is.matrix(m)) return(as.numeric(length(m)) * if (is.integer(m) || is.logical(m)) 4 else 8)
  if (methods::is(m, "dgCMatrix")) return(12 * as.numeric(length(m@x)) + 4 * (ncol(m) + 1))
  if (methods::is(m, "sparseMatrix") && methods::.hasSlot(m, "x")) return(12 * as.numeric(length(m@x)))
  0
}

# The prediction for given sizes: a list(peak, parts, epoch_seconds, ...).
#' @noRd
.plan_resources <- function(method, dims, input_bytes = 0, base = .plan_constants$base) {
  k <- .plan_constants
  m <- .plan_method(method, dims)
  pairs <- as.numeric(dims$regulators) * dims$genes
  kept <- if (is.null(dims$top)) pairs else min(dims$top, pairs)
  parts <- c(base = base, input = input_bytes, expression = k$expr * dims$genes * dims$cells,
             model = m$bytes, output = k$score * pairs + k$edge * kept)
  m$seconds <- m$seconds + k$edge_s * kept
  # The model's memory is given back before the output stage builds the
  # edges, so the peak is the larger of the two on top of what stays alive.
  peak <- sum(parts[c("base", "input", "expression")]) + max(parts[["model"]], parts[["output"]])
  list(peak = peak, parts = parts, epoch_seconds = m$epoch_seconds, epochs = m$epochs,
       seconds = m$seconds, advice = m$advice, pairs_kept = kept)
}

# Memory this process may grow to: the option grntorch.max_memory (bytes),
# else what the system has free (MemAvailable, or a lower cgroup limit)
# plus what a fresh process with this input already holds.
#' @noRd
.memory_available <- function() {
  opt <- getOption("grntorch.max_memory")
  if (!is.null(opt)) {
    if (!is.numeric(opt) || length(opt) != 1L || is.na(opt) || opt <= 0) {
      .grn_abort("grntorch.max_memory", "the option must be a positive number of bytes")
    }
    return(list(bytes = as.numeric(opt), free = NA_real_, source = "option grntorch.max_memory"))
  }
  read_num <- function(f) {
    v <- tryCatch(suppressWarnings(readLines(f, n = 1L, warn = FALSE)), error = function(e) character())
    if (length(v) != 1L || !nzchar(v) || identical(v, "max")) return(NA_real_)
    suppressWarnings(as.numeric(v))
  }
  free <- NA_real_
  source <- NULL
  if (file.exists("/proc/meminfo")) {
    mi <- tryCatch(readLines("/proc/meminfo", warn = FALSE), error = function(e) character())
    ln <- grep("^MemAvailable:", mi, value = TRUE)
    if (length(ln)) {
      free <- as.numeric(sub("^MemAvailable:\\s*([0-9]+).*$", "\\1", ln[1])) * 1024
      source <- "MemAvailable in /proc/meminfo"
    }
  }
  cg <- list(c("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
             c("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"))
  for (f in cg) {
    lim <- read_num(f[1])
    if (is.finite(lim) && lim < 2^60) {
      used <- read_num(f[2])
      cg_free <- lim - if (is.finite(used)) used else 0
      if (!is.finite(free) || cg_free < free) {
        free <- max(0, cg_free)
        source <- sprintf("the cgroup limit %s", f[1])
      }
      break
    }
  }
  if (!is.finite(free)) return(list(bytes = NA_real_, free = NA_real_, source = "unknown on this system"))
  list(bytes = NA_real_, free = free, source = source)
}

# The base of the peak: the R process as it is now (its resident set, less
# the input counted apart), at least R with grntorch loaded.  A session with
# Bioconductor packages and data loaded holds far more than the bare base
# (real 10x data in a SingleCellExperiment: ~0.5 GB more, bench/pbmc.R).
#' @noRd
.plan_base <- function(input_bytes = 0) {
  rss <- tryCatch({
    st <- readLines("/proc/self/status", warn = FALSE)
    as.numeric(sub("^VmRSS:\\s*([0-9]+).*$", "\\1", grep("^VmRSS:", st, value = TRUE)[1])) * 1024
  }, error = function(e) NA_real_, warning = function(w) NA_real_)
  if (length(rss) != 1L || !is.finite(rss)) return(.plan_constants$base)
  max(.plan_constants$base, rss - input_bytes)
}

# Sizes of an infer_grn() call, from the cheap stage of the input adapter.
#' @noRd
.plan_dims <- function(src, regulators, train, validation, top) {
  # Pairs naming a gene outside the selected genes are dropped by infer_grn()
  # (e.g. training_pairs() over a whole object, then genes = ): count the rest.
  inside <- function(p) {
    if (!is.data.frame(p) || !all(c("from", "to") %in% names(p))) return(0L)
    u <- toupper(src$genes)
    sum(.upper_fast(p$from) %in% u & .upper_fast(p$to) %in% u)
  }
  list(genes = length(src$rows), regulators = length(regulators), cells = length(src$cells),
       n_train = inside(train), n_validation = inside(validation), top = top)
}

#' @noRd
.new_grn_resources <- function(method, dims, input_bytes) {
  base <- .plan_base(input_bytes)
  plan <- .plan_resources(method, dims, input_bytes, base = base)
  av <- .memory_available()
  # With the system's free memory, what the process already holds (base and
  # input) counts as available too: the process may grow by `free`.
  available <- if (is.finite(av$bytes)) av$bytes else if (is.finite(av$free)) av$free + base + input_bytes else NA_real_
  structure(list(method = method$name, model = .plan_model_name(method), peak = plan$peak, parts = plan$parts,
                 epoch_seconds = plan$epoch_seconds, epochs = plan$epochs, seconds = plan$seconds,
                 threads = if (is.null(method$params$threads)) NA_integer_ else method$params$threads,
                 dims = dims, available = available, available_source = av$source, advice = plan$advice,
                 pairs_kept = plan$pairs_kept),
            class = "grn_resources")
}

#' @noRd
.plan_model_name <- function(method) {
  nm <- c(pearson = "Pearson", spearman = "Spearman", deepsem = "DeepSEM", "infosem-b" = "InfoSEM-B",
          "infosem-bc" = "InfoSEM-BC", genelink = "GENELink", gnnlink = "GNNLink", scregnet = "scRegNet",
          sctransnet = "scTransNet", scunigp = "scUniGP", random = "random", onehot_lr = "one-hot LR",
          matcomp = "matrix completion", regdiffusion = "RegDiffusion")
  if (method$name %in% names(nm)) nm[[method$name]] else method$name
}

#' Predict the memory and time of a network inference
#'
#' Before anything is made dense, predicts the peak memory (resident set
#' size of the R process) and, roughly, the run time that [infer_grn()] would
#' need with the same arguments, from the sizes of the problem (genes,
#' regulators, cells, labelled pairs, edges kept) and the model's parameters
#' (hidden sizes, batch size, epochs, runs and parallel workers).  The
#' formulas follow what each model allocates (for DeepSEM, a few genes x genes
#' matrices and genes x batch x hidden activations; for the graph models the
#' genes x cells node features) with constants measured on fresh R processes
#' (`bench/resources.R` in the source package compares predicted and measured
#' peaks); times are for a laptop-class CPU and only indicative (DeepSEM/InfoSEM:
#' scaled to the method's `threads`; within 13% of the measured time on real
#' 10x data, `bench/pbmc.R`).
#'
#' [infer_grn()] runs the same check and refuses a fit whose predicted peak
#' exceeds the memory available with an error of class
#' `grntorch_memory_error`.  The memory available is the option
#' `grntorch.max_memory` (bytes) when set, otherwise what the system reports
#' free (`MemAvailable` of `/proc/meminfo`, or a lower cgroup limit) plus
#' what the process already holds for this input; it is unknown (and the
#' check skipped) on systems without `/proc`.  `options(grntorch.check_memory
#' = FALSE)` turns the check off.
#'
#' @inheritParams infer_grn
#' @return An object of class `grn_resources`: a list with `peak` (predicted
#'   peak bytes), `parts` (its terms: `base`, the R process as it is now
#'   without the input (at least R with grntorch loaded), `input`, `expression`,
#'   `model`, `output`; counted in train / validation: the pairs inside
#'   `genes`), `epoch_seconds`, `epochs`, `seconds` (total), `dims` (genes,
#'   regulators, cells, n_train, n_validation, top), `available` (bytes, `NA`
#'   if unknown) and `available_source`.  Its `print()` method gives a
#'   one-line summary.
#' @seealso [infer_grn()], [select_genes()]
#' @examples
#' ex <- grntorch_example()
#' grn_resources(ex$expression, "deepsem", tfs = ex$tfs)
#' r <- grn_resources(ex$expression, "pearson", tfs = ex$tfs, top = 1000)
#' r$peak / 1e6   # MB
#' @export
grn_resources <- function(x, method = "pearson", tfs = NULL, genes = NULL, train = NULL, validation = NULL,
                          ..., assay.type = "logcounts", assay = NULL, layer = "data", top = NULL) {
  method <- .resolve_method(method, ..., .caller = "grn_resources")
  if (!is.null(top)) top <- .check_top(top)
  .warn_unused_source_args(x, assay.type = !missing(assay.type), assay = !is.null(assay), layer = !missing(layer))
  src <- .expression_source(x, genes = genes, assay.type = assay.type, assay = assay, layer = layer)
  .check_orientation(src, tfs)
  regulators <- .match_tfs(tfs, src$genes, verbose = FALSE, all_genes = if (!is.null(genes)) rownames(src$m))
  .new_grn_resources(method, .plan_dims(src, regulators, train, validation, top), .plan_input_bytes(src$m))
}

# The check of infer_grn(): refuse a fit predicted not to fit in memory.
#' @noRd
.check_resources <- function(method, src, regulators, train, validation, top) {
  if (isFALSE(getOption("grntorch.check_memory", TRUE))) return(invisible(NULL))
  r <- .new_grn_resources(method, .plan_dims(src, regulators, train, validation, top), .plan_input_bytes(src$m))
  if (is.finite(r$available) && r$peak > r$available) {
    stop(.engine_condition(.resources_refusal(r), c("grntorch_memory_error", "grntorch_engine_error")))
  }
  invisible(r)
}

#' @noRd
.resources_refusal <- function(r) {
  d <- r$dims
  tips <- c(
    genes = "fewer genes: `genes = select_genes(x, tfs)`",
    tfs = "fewer regulators (`tfs`)",
    top = if (is.null(d$top)) "keep only the strongest edges (`top = 10000`)",
    batch_size = "a smaller `batch_size` or `hidden`",
    cells = "fewer cells (e.g. a subsample or metacells)",
    n_runs = "fewer parallel runs (`n_runs`, `BPPARAM`)")
  adv <- r$advice
  # the edges dominate: fewer regulators and `top` help whatever the model
  if (r$parts[["output"]] >= 0.25 * r$parts[["model"]]) adv <- union(adv, c("tfs", "top"))
  tips <- tips[intersect(names(tips), adv)]
  tips <- unlist(tips[lengths(tips) > 0])
  sprintf(paste0("grntorch: %s on %s genes (%s regulators) x %s cells needs ~%s of memory at its peak, ",
                 "but only %s is available (%s). Try %s; or set options(grntorch.max_memory = <bytes>) ",
                 "if more is available, or options(grntorch.check_memory = FALSE) to skip this check."),
          r$model, .fmt_count(d$genes), .fmt_count(d$regulators), .fmt_count(d$cells), .fmt_bytes(r$peak),
          .fmt_bytes(r$available), r$available_source, paste(tips, collapse = ", "))
}

#' @noRd
.fmt_bytes <- function(b) {
  if (!is.finite(b)) return("unknown")
  u <- c("B", "kB", "MB", "GB", "TB")
  i <- max(1L, min(length(u), floor(log(max(b, 1), 1000)) + 1L))
  v <- b / 1000^(i - 1)
  sprintf(if (v < 10 && i > 1) "%.1f %s" else "%.0f %s", v, u[i])
}

# Counts of any size (a 60,000-gene network has 3.6e9 pairs, beyond R's integers).
#' @noRd
.fmt_count <- function(n) {
  if (length(n) != 1L || !is.finite(n)) return("?")
  format(round(n), big.mark = ",", scientific = FALSE, trim = TRUE)
}

#' @noRd
.fmt_seconds <- function(s) {
  if (!is.finite(s)) return("?")
  if (s < 1) return("1 s")
  if (s < 120) return(sprintf("%.0f s", s))
  if (s < 7200) return(sprintf("%.0f min", s / 60))
  sprintf("%.1f h", s / 3600)
}

#' @method print grn_resources
#' @export
print.grn_resources <- function(x, ...) {
  d <- x$dims
  cat(sprintf("%s on %s genes (%s regulators) x %s cells: peak memory ~%s (available %s)", x$model,
              .fmt_count(d$genes), .fmt_count(d$regulators), .fmt_count(d$cells), .fmt_bytes(x$peak),
              .fmt_bytes(x$available)))
  thr <- if (is.finite(x$threads)) sprintf(" on %d thread%s", x$threads, if (x$threads == 1) "" else "s") else ""
  if (is.finite(x$epoch_seconds)) {
    cat(sprintf(", ~%s per epoch, ~%s for %d epochs%s", .fmt_seconds(x$epoch_seconds), .fmt_seconds(x$seconds),
                x$epochs, thr))
  } else if (is.finite(x$seconds)) {
    cat(sprintf(", ~%s%s", .fmt_seconds(x$seconds), thr))
  }
  cat("\n")
  p <- x$parts
  cat(sprintf("  base %s, input %s, dense expression %s, model %s, output %s (%s edges kept)\n",
              .fmt_bytes(p[["base"]]), .fmt_bytes(p[["input"]]), .fmt_bytes(p[["expression"]]),
              .fmt_bytes(p[["model"]]), .fmt_bytes(p[["output"]]), .fmt_count(x$pairs_kept)))
  if (is.finite(x$available) && x$peak > x$available) {
    cat("  does not fit: infer_grn() would refuse it (see ?grn_resources)\n")
  }
  invisible(x)
}
