# benchmark_grn(): every method x dataset x split scheme x seed, tidy results.

#' Benchmark GRN methods on BEELINE-style datasets
#'
#' Runs every method on every dataset under every split scheme and seed, and
#' scores each test set with [evaluate_grn()].  For a split scheme of
#' [split_edges()] (`"unseen_genes"`, `"genelink_specific"`,
#' `"genelink_density"`), the split is drawn once per dataset, scheme and
#' seed; supervised methods get its `train` and `validation` pairs; every
#' method is scored in pairs mode on each `test*` set (pairs without a
#' predicted edge score 0).  Scheme `"universe"` uses no split: methods run
#' without labels and are scored in universe mode against the whole ground
#' truth (BEELINE's protocol; supervised methods are skipped).  Scheme
#' `"cross_source"` is the honest test of a model trained on a prior network
#' `S` (`prior`, e.g. [prior_network()]): [cross_source_split()] trains on `S`
#' restricted to the dataset ([training_pairs()] with `negatives` negatives
#' per positive, 10% validation, drawn with the run's seed) and scores
#' `test_novel`: every TF x gene pair of the dataset that is not in `S`,
#' labelled by the dataset's ground truth `T` with the pairs of `S` removed.
#' Unsupervised methods are scored on the same pairs; InfoSEM-BC gets the
#' prior with `infosem(prior_edges = "train")`.  A method with
#' a `seed` parameter gets the run's seed, so seeds vary the model too.
#'
#' **Degree baseline.**  Wherever training pairs exist (any scheme but
#' `"universe"`) and at least one method learns from them (a supervised
#' model, or InfoSEM-BC with `prior_edges = "train"`), [degree_baseline()]
#' is added as method `"degree"` (unless `degree_baseline = FALSE` or a
#' method already has that name): a supervised model learns more than the
#' degree bias of the known network only if it beats it.
#'
#' @param datasets folder paths for [read_beeline()] or a (named) list of
#'   datasets, each a list with `expression` (genes x cells), `tfs`, `truth`
#'   and optionally `name`, `kind`.
#' @param methods a (named) list of methods: names such as `"random"` or
#'   parameter objects such as `onehot_lr()`.  Names default to the method
#'   names.
#' @param schemes split schemes (see above).
#' @param seeds integer seeds.
#' @param prior scheme `"cross_source"`: the prior network `S`, a data.frame
#'   `from`, `to` used for every dataset, or a list of them named by dataset.
#' @param negatives scheme `"cross_source"`: negatives per positive of the
#'   training pairs (see [training_pairs()]).
#' @param degree_baseline add [degree_baseline()] (method `"degree"`) beside
#'   the supervised methods (see above).
#' @param BPPARAM a `BiocParallel` back-end over dataset x scheme x seed runs
#'   (default serial).  Without BiocParallel installed, runs are serial.  With a
#'   forking back-end (`MulticoreParam`, `BatchtoolsParam(cluster =
#'   "multicore")`) every method runs on one LibTorch thread per worker; other
#'   back-ends (`SnowParam`, batchtools' socket or a scheduler such as SLURM)
#'   keep each method's `threads`.  See the section "On a cluster".
#' @param hit fraction for the Hit metric (default Hit@1%).
#' @param verbose show a progress bar (serial runs).  Interrupting a serial
#'   run returns the rows finished so far, with a warning.
#' @return A data.frame of class `grn_benchmark` with one row per result:
#'   `dataset`, `network_kind`, `method`, `scheme`, `test_set`, `seed`,
#'   `metric` (`auroc`, `auprc`, `average_precision`, `auprc_ratio`, `epr`,
#'   `hit_1pct`, `density`), `value`, `seconds` (time to infer the network).
#'   `summary()` gives mean and standard error over seeds; `plot()` draws
#'   bars with standard errors and the random level (needs ggplot2; see
#'   [plot.grn_benchmark()]).
#' @inheritSection supervised_models What transfers from a known network
#' @section On a cluster:
#' Ensembles (`n_runs` of [deepsem()], [infosem()] and the supervised models)
#' and `benchmark_grn()` grids fan out through any BiocParallel back-end:
#' `MulticoreParam` or `SnowParam` on one machine, `BatchtoolsParam` on a
#' scheduler.  For SLURM the package ships a batchtools template:
#' ```
#' tmpl <- system.file("batchtools", "slurm.tmpl", package = "grntorch")
#' bp <- BiocParallel::BatchtoolsParam(workers = 20, cluster = "slurm", template = tmpl,
#'         resources = list(ncpus = 2, memory = 8000, walltime = 4 * 3600))
#' res <- benchmark_grn(folders, list(deepsem(threads = 2), "pearson"), seeds = 1:10, BPPARAM = bp)
#' g <- infer_grn(x, deepsem(n_runs = 20, threads = 2, BPPARAM = bp), tfs = tfs)
#' ```
#' One job is one R process; give the model as many `threads` as the job's
#' `ncpus` (the template sets `OMP_NUM_THREADS` to it and makes idle OpenMP
#' threads sleep).  Size `memory` with [grn_resources()].  Each job needs
#' grntorch installed where the compute nodes see it (e.g. `R_LIBS_USER` on a
#' shared file system) and reads its data from the registry batchtools
#' writes (a shared `file.dir`, see `registryargs`).  Run-to-run results are
#' reproducible: each run has its own seed (`seed`, `seed + 1`, ...), whatever
#' the back-end, and with one thread per run an ensemble is bit-identical to
#' the serial one.  Other schedulers: batchtools' own templates for SGE,
#' LSF, Torque or OpenLava work the same way.
#' @seealso [split_edges()], [evaluate_grn()], [read_beeline()],
#'   [cross_source_split()], [degree_baseline()]
#' @examples
#' ex <- grntorch_example()
#' genes <- rownames(ex$expression)[1:300]          # a small slice keeps the example fast
#' small <- list(expression = ex$expression[genes, ], tfs = intersect(ex$tfs, genes),
#'               truth = ex$truth[ex$truth$from %in% genes & ex$truth$to %in% genes, ])
#' res <- benchmark_grn(list(mESC = small), list("random", lr = onehot_lr(cs = 1, folds = 2)),
#'                      schemes = "unseen_genes", seeds = 1:2, verbose = FALSE)
#' res
#' head(summary(res, metric = "average_precision"))   # "degree" was added beside "lr"
#' # cross-source: train on mouse STRING, score the ChIP-seq edges not in STRING
#' cs <- benchmark_grn(list(mESC = small), list("pearson", lr = onehot_lr(cs = 1, folds = 2)),
#'                     schemes = "cross_source", prior = prior_network("mouse", "string"),
#'                     seeds = 1, verbose = FALSE)
#' summary(cs, metric = "auroc")
#' @md
#' @export
benchmark_grn <- function(datasets, methods, schemes = "unseen_genes", seeds = 1:10,
                          BPPARAM = BiocParallel::SerialParam(), hit = 0.01, verbose = interactive(),
                          prior = NULL, negatives = 3, degree_baseline = TRUE) {
  verbose <- .check_flag(verbose, "verbose")
  degree_baseline <- .check_flag(degree_baseline, "degree_baseline")
  hit <- .check_scalar_num(hit, "hit", min = 0, max = 1, open_min = TRUE)
  if (!is.null(BPPARAM) && !methods::is(BPPARAM, "BiocParallelParam")) {
    .grn_abort("BPPARAM", sprintf("must be a BiocParallel back-end such as BiocParallel::SerialParam() or BiocParallel::MulticoreParam(2), not %s",
                                  if (is.character(BPPARAM) && length(BPPARAM) == 1L) sprintf("the string \"%s\"", BPPARAM)
                                  else sprintf("an object of class \"%s\"", class(BPPARAM)[1])))
  }
  ok_schemes <- c("unseen_genes", "genelink_specific", "genelink_density", "universe", "cross_source")
  if (!is.character(schemes) || !length(schemes) || !all(schemes %in% ok_schemes)) {
    .grn_abort("schemes", sprintf("must be among %s", paste0("\"", ok_schemes, "\"", collapse = ", ")))
  }
  if (!is.numeric(seeds) || !length(seeds) || anyNA(seeds) || any(seeds != round(seeds))) .grn_abort("seeds", "must be whole numbers")
  seeds <- as.integer(seeds)
  if (is.character(datasets)) datasets <- as.list(datasets)
  if (!is.list(datasets) || !length(datasets)) .grn_abort("datasets", "must be folder paths or a list of datasets")
  if (!is.list(methods) || is.data.frame(methods) || inherits(methods, "grn_method")) methods <- list(methods)
  if (!length(methods)) .grn_abort("methods", "must name at least one method")
  mobj <- .rename_arg(lapply(methods, function(m) .resolve_method(m)), "method", "methods")
  mnames <- names(methods)
  if (is.null(mnames)) mnames <- rep("", length(methods))
  mnames[mnames == ""] <- vapply(mobj[mnames == ""], function(m) m$name, "")
  if (anyDuplicated(mnames)) .grn_abort("methods", "method names must be unique (name the list elements)")
  names(mobj) <- mnames
  uses_train <- vapply(mobj, function(m) "train" %in% .pairs_used(m), NA)
  if (degree_baseline && any(schemes != "universe") && any(uses_train) && !"degree" %in% mnames) {
    mobj$degree <- degree_baseline()
  }

  ds <- lapply(seq_along(datasets), function(i) .bench_dataset(datasets[[i]], names(datasets)[i]))
  dnames <- vapply(ds, function(d) d$name, "")
  if (anyDuplicated(dnames)) .grn_abort("datasets", "dataset names must be unique (name the list elements)")
  priors <- if ("cross_source" %in% schemes) .bench_priors(prior, dnames)
  if ("cross_source" %in% schemes && !identical(negatives, "all")) {
    negatives <- .check_scalar_num(negatives, "negatives", min = 0)
  }

  tasks <- expand.grid(seed = seeds, scheme = schemes, d = seq_along(ds), stringsAsFactors = FALSE)
  run_task <- function(t) .bench_run(ds[[tasks$d[t]]], mobj, tasks$scheme[t], tasks$seed[t], hit,
                                     prior = priors[[tasks$d[t]]], negatives = negatives)

  use_bp <- !is.null(BPPARAM) && requireNamespace("BiocParallel", quietly = TRUE) && !inherits(BPPARAM, "SerialParam")
  if (use_bp && .bp_forks(BPPARAM)) {
    # Forked workers cannot reuse the parent's OpenMP pool: one thread each.
    mobj <- lapply(mobj, function(m) { if ("threads" %in% names(m$params)) m$params$threads <- 1L; m })
  }
  res <- vector("list", nrow(tasks))
  if (use_bp) {
    res <- BiocParallel::bplapply(seq_len(nrow(tasks)), run_task, BPPARAM = BPPARAM)
  } else {
    pb <- if (verbose) utils::txtProgressBar(min = 0, max = nrow(tasks), style = 3) else NULL
    done <- 0L
    interrupted <- tryCatch({
      for (t in seq_len(nrow(tasks))) {
        res[[t]] <- run_task(t)
        done <- t
        if (!is.null(pb)) utils::setTxtProgressBar(pb, t)
      }
      FALSE
    }, interrupt = function(e) TRUE)  # R's own interrupt and grntorch_interrupt (R/engine.R), by class
    if (!is.null(pb)) close(pb)
    if (interrupted) .grn_warn(sprintf("benchmark interrupted: returning the %d of %d runs that finished", done, nrow(tasks)))
  }
  out <- do.call(rbind, res)
  if (is.null(out)) out <- .bench_empty()
  rownames(out) <- NULL
  .bench_warn_undefined(out)
  class(out) <- c("grn_benchmark", "data.frame")
  out
}

#' @noRd
.bench_empty <- function() {
  data.frame(dataset = character(), network_kind = character(), method = character(), scheme = character(),
             test_set = character(), seed = integer(), metric = character(), value = numeric(),
             seconds = numeric(), stringsAsFactors = FALSE)
}

#' @noRd
.bench_dataset <- function(d, name) {
  if (is.character(d) && length(d) == 1L) d <- read_beeline(d)
  if (!is.list(d) || is.null(d$expression) || is.null(d$truth) || is.null(d$tfs)) {
    .grn_abort("datasets", "each dataset must be a folder path or a list with expression, tfs and truth")
  }
  if (!is.null(name) && nzchar(name)) d$name <- name
  if (is.null(d$name)) d$name <- "dataset"
  if (is.null(d$kind)) d$kind <- NA_character_
  d
}

# The prior network of each dataset for scheme "cross_source".
#' @noRd
.bench_priors <- function(prior, dnames) {
  if (is.null(prior)) .grn_abort("prior", "scheme \"cross_source\" needs a prior network (e.g. prior_network(\"human\"))")
  if (is.data.frame(prior)) return(rep(list(prior), length(dnames)))
  if (!is.list(prior) || is.null(names(prior)) || !all(vapply(prior, is.data.frame, NA))) {
    .grn_abort("prior", "must be a data.frame from, to or a list of them named by dataset")
  }
  miss <- setdiff(dnames, names(prior))
  if (length(miss)) .grn_abort("prior", sprintf("has no network for dataset(s) %s", paste(miss, collapse = ", ")))
  prior[dnames]
}

#' @noRd
.bench_run <- function(d, mobj, scheme, seed, hit, prior = NULL, negatives = 3) {
  genes <- rownames(d$expression)
  split <- if (scheme == "universe") NULL
    else if (scheme == "cross_source")
      cross_source_split(prior, d$truth, d$expression, tfs = d$tfs, negatives = negatives, seed = seed, verbose = FALSE)
    else suppressWarnings(split_edges(d$truth, scheme, tfs = d$tfs, genes = genes, seed = seed))
  rows <- list()
  for (mn in names(mobj)) {
    m <- mobj[[mn]]
    if (scheme == "universe" && isTRUE(m$supervised)) next
    if ("seed" %in% names(m$params)) m$params$seed <- seed
    t0 <- proc.time()[["elapsed"]]
    # only the pairs the method reads (.pairs_used(), R/infer_grn.R): every method of a scheme gets the same
    # split on purpose, so the grntorch_ignored_pairs warning would be noise here
    used <- .pairs_used(m)
    g <- infer_grn(d$expression, m, tfs = d$tfs, train = if ("train" %in% used) split$train,
                   validation = if ("validation" %in% used) split$validation, verbose = FALSE)
    secs <- proc.time()[["elapsed"]] - t0
    tests <- if (is.null(split)) list(universe = d$truth) else split[grepl("^test", names(split))]
    for (tn in names(tests)) {
      # a one-class test set gives NaN metrics: recorded as NaN rows and reported once by benchmark_grn()
      # (.bench_warn_undefined), not once per method and seed
      ev <- suppressWarnings(classes = "grntorch_undefined_metric",
              if (is.null(split)) evaluate_grn(g, tests[[tn]], tfs = d$tfs, hit = hit, curves = FALSE)
              else evaluate_grn(g, tests[[tn]], missing = 0, hit = hit, curves = FALSE))
      ev <- unclass(ev)
      hitname <- grep("^hit_", names(ev), value = TRUE)
      mets <- c("auroc", "auprc", "average_precision", "auprc_ratio", "epr", hitname, "density")
      rows[[length(rows) + 1L]] <- data.frame(dataset = d$name, network_kind = d$kind, method = mn, scheme = scheme,
                                              test_set = tn, seed = seed, metric = mets,
                                              value = vapply(mets, function(k) as.double(ev[[k]]), 0),
                                              seconds = secs, stringsAsFactors = FALSE)
    }
  }
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out
}

#' @method summary grn_benchmark
#' @md
#' @export
summary.grn_benchmark <- function(object, metric = NULL, ...) {
  x <- as.data.frame(unclass(object), stringsAsFactors = FALSE)
  if (!is.null(metric)) {
    have <- unique(x$metric)
    if (!is.character(metric) || anyNA(metric) || (nrow(x) && !all(metric %in% have))) {
      .grn_abort("metric", sprintf("must name metrics of the benchmark (%s)%s",
                                   paste0("\"", have, "\"", collapse = ", "),
                                   if (is.character(metric)) sprintf(", not %s", paste0("\"", setdiff(metric, have), "\"", collapse = ", ")) else ""))
    }
    x <- x[x$metric %in% metric, , drop = FALSE]
  }
  if (!nrow(x)) return(data.frame())
  keys <- c("dataset", "network_kind", "method", "scheme", "test_set", "metric")
  grp <- do.call(paste, c(lapply(x[keys], function(v) ifelse(is.na(v), "<NA>", as.character(v))), sep = "\r"))
  grp <- factor(grp, levels = unique(grp))
  agg <- lapply(split(x, grp), function(g) {
    v <- g$value[is.finite(g$value)]
    cbind(g[1, keys, drop = FALSE], data.frame(mean = if (length(v)) mean(v) else NA_real_,
                                               se = if (length(v) > 1L) stats::sd(v) / sqrt(length(v)) else NA_real_,
                                               n = length(v), seconds = mean(g$seconds)))
  })
  out <- do.call(rbind, agg)
  rownames(out) <- NULL
  out
}

#' @method print grn_benchmark
#' @md
#' @export
print.grn_benchmark <- function(x, ...) {
  df <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  cat(sprintf("<grn_benchmark> %d results: %d dataset(s), %d method(s), scheme(s) %s, %d seed(s)\n", nrow(df),
              length(unique(df$dataset)), length(unique(df$method)), paste(unique(df$scheme), collapse = ", "),
              length(unique(df$seed))))
  s <- summary(x, metric = intersect(c("average_precision", "hit_1pct", "auroc"), unique(df$metric)))
  if (nrow(s)) {
    s$value <- sprintf("%.3f (%.3f)", s$mean, s$se)
    print(s[, c("dataset", "method", "scheme", "test_set", "metric", "value")], row.names = FALSE)
  }
  invisible(x)
}

#' Plot a benchmark: bars with standard errors
#'
#' One horizontal bar per method (mean over seeds, error bar = standard
#' error), so method names read horizontally whatever their length; panels
#' by dataset (columns) and by scheme and test set (rows), each strip
#' labelled (`dataset: ...`; `scheme: ...`, `test set: ...`).  The baselines (`random`,
#' `degree`, `onehot_lr`) are drawn in grey, and the random level of the
#' metric as a dashed line: the mean test density for `average_precision`,
#' `auprc` and `hit_*`, 0.5 for `auroc`, 1 for `auprc_ratio` and `epr`.
#'
#' @param x a `grn_benchmark` from [benchmark_grn()].
#' @param metric the metric to show (default average precision, the AUPRC
#'   estimator that is not inflated by tied scores).
#' @param ... unused.
#' @return A `ggplot` object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   ex <- grntorch_example()
#'   genes <- rownames(ex$expression)[1:300]
#'   small <- list(expression = ex$expression[genes, ], tfs = intersect(ex$tfs, genes),
#'                 truth = ex$truth[ex$truth$from %in% genes & ex$truth$to %in% genes, ])
#'   res <- benchmark_grn(list(mESC = small), list("random", "pearson"), seeds = 1:2, verbose = FALSE)
#'   plot(res)
#'   plot(res, metric = "auroc")
#' }
#' @md
#' @export
plot.grn_benchmark <- function(x, metric = "average_precision", ...) {
  .grn_need_package("ggplot2", "plot() of a grn_benchmark")
  metric <- .check_string(metric, "metric")
  s <- summary(x, metric = c(metric, "density"))
  dens <- s[s$metric == "density", , drop = FALSE]
  s <- s[s$metric == metric, , drop = FALSE]
  if (!nrow(s)) {
    .grn_abort("metric", sprintf("no results for metric \"%s\"; the benchmark has %s", metric,
                                 paste0("\"", setdiff(unique(x$metric), "density"), "\"", collapse = ", ")))
  }
  methods <- unique(s$method)
  s$method <- factor(s$method, levels = rev(methods))   # the first method on top
  baselines <- c("random", "degree", "onehot_lr")
  s$kind <- factor(ifelse(as.character(s$method) %in% baselines, "baseline", "method"), levels = c("method", "baseline"))
  s$lo <- s$mean - ifelse(is.na(s$se), 0, s$se)
  s$hi <- s$mean + ifelse(is.na(s$se), 0, s$se)
  level <- if (metric %in% c("average_precision", "auprc") || grepl("^hit_", metric)) {
    if (nrow(dens)) stats::aggregate(mean ~ dataset + scheme + test_set, data = dens, FUN = mean)
  } else if (metric == "auroc") {
    unique(s[, c("dataset", "scheme", "test_set")])
  } else if (metric %in% c("auprc_ratio", "epr")) {
    unique(s[, c("dataset", "scheme", "test_set")])
  }
  if (!is.null(level) && !"mean" %in% names(level)) level$mean <- if (metric == "auroc") 0.5 else 1
  row_label <- function(d) {
    factor(sprintf("scheme: %s\ntest set: %s", d$scheme, d$test_set),
           levels = unique(sprintf("scheme: %s\ntest set: %s", s$scheme, s$test_set)))
  }
  s$panel_row <- row_label(s)
  if (!is.null(level)) level$panel_row <- row_label(level)
  labels <- list(average_precision = "average precision", auprc = "AUPRC", auroc = "AUROC",
                 auprc_ratio = "AUPRC / density", epr = "early precision ratio", density = "density")
  xlab <- if (!is.null(labels[[metric]])) labels[[metric]] else gsub("_", " ", metric)
  pal <- grDevices::hcl.colors(max(3L, length(methods)), "Dark 3")[seq_along(methods)]
  names(pal) <- methods
  pal[names(pal) %in% baselines] <- c("grey55", "grey70", "grey40")[match(names(pal)[names(pal) %in% baselines], baselines)]
  p <- ggplot2::ggplot(s, ggplot2::aes(x = .data$mean, y = .data$method)) +
    ggplot2::geom_col(ggplot2::aes(fill = .data$method), width = 0.7, show.legend = FALSE) +
    ggplot2::geom_errorbar(ggplot2::aes(xmin = .data$lo, xmax = .data$hi), width = 0.3, orientation = "y") +
    ggplot2::scale_fill_manual(values = pal) +
    ggplot2::facet_grid(rows = ggplot2::vars(panel_row), cols = ggplot2::vars(dataset),
                        labeller = ggplot2::labeller(dataset = function(v) paste("dataset:", v)),
                        scales = "free_y", space = "free_y") +
    ggplot2::labs(x = xlab, y = NULL,
                  caption = paste(c(if (!is.null(level)) "dashed: the random level",
                                    if (any(s$kind == "baseline")) "grey bars: baselines"), collapse = "; ")) +
    ggplot2::theme_bw() +
    ggplot2::theme(strip.text.y = ggplot2::element_text(angle = 0, hjust = 0))
  if (!is.null(level) && nrow(level)) {
    p <- p + ggplot2::geom_vline(data = level, ggplot2::aes(xintercept = .data$mean), linetype = "dashed", colour = "grey25")
  }
  p
}
utils::globalVariables(c(".data", "panel_row", "dataset"))

# One warning for all the NaN metrics of a benchmark (one-class test sets).
#' @noRd
.bench_warn_undefined <- function(out) {
  bad <- out[is.nan(out$value), , drop = FALSE]
  if (!nrow(bad)) return(invisible())
  sets <- unique(paste0(bad$dataset, "/", bad$scheme, "/", bad$test_set, " (seed ", bad$seed, ")"))
  .grn_warn(sprintf("%d metric value(s) are undefined (NaN: a test set with no positive, or only positives): %s in %s%s",
                    nrow(bad), paste(unique(bad$metric), collapse = ", "), paste(utils::head(sets, 4), collapse = "; "),
                    if (length(sets) > 4) "; ..." else ""), class = "grntorch_undefined_metric")
}
