# The resource planner: predicted peak memory (and rough run time) of an
# infer_grn() call from the sizes alone, before anything is made dense.
#
# Peak RSS of the process = base (the R process as it is now, less the input;
#     at least R with grntorch and LibTorch loaded: .plan_base())
#   + the input `x` (already resident in the user's session)
#   + the dense expression infer_grn() builds (genes x cells doubles, alive
#     until the graph is returned; none when `x` is a base double matrix and
#     every gene is used: it is read where it is)
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
  copy <- if (isTRUE(dims$in_place)) 0 else k$expr * dims$genes * dims$cells  # the dense copy, if one is made
  parts <- c(base = base, input = input_bytes, expression = copy,
             model = m$bytes, output = k$score * pairs + k$edge * kept)
  m$seconds <- m$seconds + k$edge_s * kept
  # The model's memory is given back before the output stage builds the
  # edges, so the peak is the larger of the two on top of what stays alive.
  peak <- sum(parts[c("base", "input", "expression")]) + max(parts[["model"]], parts[["output"]])
  list(peak = peak, parts = parts, epoch_seconds = m$epoch_seconds, epochs = m$epochs,
       seconds = m$seconds, advice = m$advice, pairs_kept = kept, unit = m$unit)
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
       n_train = inside(train), n_validation = inside(validation), top = top,
       in_place = .dense_in_place(src$m, src$rows))
}

#' @noRd
.new_grn_resources <- function(method, dims, input_bytes) {
  base <- .plan_base(input_bytes)
  plan <- .plan_resources(method, dims, input_bytes, base = base)
  av <- .memory_available()
  # With the system's free memory, what the process already holds (base and
  # input) counts as available too: the process may grow by `free`.
  available <- if (is.finite(av$bytes)) av$bytes else if (is.finite(av$free)) av$free + base + input_bytes else NA_real_
  structure(list(method = method$name, model = .method_label(method), peak = plan$peak, parts = plan$parts,
                 epoch_seconds = plan$epoch_seconds, epochs = plan$epochs, seconds = plan$seconds,
                 threads = if (is.null(method$params$threads)) NA_integer_ else method$params$threads,
                 dims = dims, available = available, available_source = av$source, advice = plan$advice,
                 pairs_kept = plan$pairs_kept, unit = if (is.null(plan$unit)) "epoch" else plan$unit),
            class = "grn_resources")
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
#'   without the input (at least R with grntorch loaded), `input`, `expression`
#'   (the dense copy infer_grn() makes; 0 for a base double matrix used whole),
#'   `model`, `output`; counted in train / validation: the pairs inside
#'   `genes`), `epoch_seconds`, `epochs`, `seconds` (total), `unit` (what
#'   `epochs` counts: `"epoch"`, or `"step"` for [regdiffusion()]), `dims`
#'   (genes, regulators, cells, n_train, n_validation, top), `pairs_kept`,
#'   `available` (bytes, `NA` if unknown) and `available_source`.  Its
#'   `print()` method gives a one-line summary.
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
  call <- .call_inputs(x, tfs, genes, assay.type, assay, layer, top, verbose = FALSE,
                       given = c(assay.type = !missing(assay.type), layer = !missing(layer)))
  .new_grn_resources(method, .plan_dims(call$src, call$regulators, train, validation, call$top),
                     .plan_input_bytes(call$src$m))
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
  # every gene a regulator (no `tfs` given): naming the TFs shrinks the score matrix (and some models)
  if (d$regulators >= d$genes) adv <- union(adv, "tfs")
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
    unit <- if (is.null(x$unit)) "epoch" else x$unit  # RegDiffusion counts steps
    cat(sprintf(", ~%s per %s, ~%s for %d %ss%s", .fmt_seconds(x$epoch_seconds), unit, .fmt_seconds(x$seconds),
                x$epochs, unit, thr))
  } else if (is.finite(x$seconds)) {
    cat(sprintf(", ~%s%s", .fmt_seconds(x$seconds), thr))
  }
  cat("\n")
  p <- x$parts
  dense <- if (p[["expression"]] == 0 && p[["input"]] > 0) "none (x is read in place)" else .fmt_bytes(p[["expression"]])
  cat(sprintf("  base %s, input %s, dense expression %s, model %s, output %s (%s edges kept)\n",
              .fmt_bytes(p[["base"]]), .fmt_bytes(p[["input"]]), dense,
              .fmt_bytes(p[["model"]]), .fmt_bytes(p[["output"]]), .fmt_count(x$pairs_kept)))
  if (is.finite(x$available) && x$peak > x$available) {
    cat("  does not fit: infer_grn() would refuse it (see ?grn_resources)\n")
  }
  invisible(x)
}
