# Scale benchmark (issue 17): the four model families with their defaults on a
# planted network (simulate_grn(): linear SEM, 20% TFs, 1-3 TF regulators per
# target, noise-to-signal 1), one fresh Rscript per model so that each peak RSS
# (VmHWM, reset after the simulation: the fit's own) is its own.
#
#   OMP_WAIT_POLICY=passive Rscript bench/scale.R [genes cells] [models] [key=value ...]
#     genes cells   default 2500 10000
#     models        comma-separated, default deepsem,infosem,genelink,scunigp
#                   (also: regdiffusion, and pearson for |Pearson| beside it)
#     key=value     model arguments for every model, e.g. epochs=3 cells_per_epoch=2000
#                   (epochs=3 gives seconds per epoch quickly; a full default run has none)
# plan_GB / plan_s: what grn_resources() predicts for the same call (peak, total seconds).
# peak_GB: the peak of the fit and the evaluation; fit_GB: of the fit alone (infer_grn(), VmHWM before evaluate_grn()).
#   BENCH_DROPOUT=0.3 adds dropout; BENCH_STATES=5 latent cell states; BENCH_THREADS (default 2).
#   BENCH_BPPARAM fans the models out through BiocParallel (default serial):
#     "multicore:N", "snow:N", "batchtools:N" (batchtools' multicore back-end),
#     "batchtools-socket:N", or "slurm:N" (BatchtoolsParam with the package's
#     template inst/batchtools/slurm.tmpl; BENCH_SLURM_MEMORY in MB, default
#     16000, BENCH_SLURM_WALLTIME in seconds, default 4 h, ncpus = BENCH_THREADS).
#     Every model still runs in its own Rscript (so each peak RSS is its own),
#     started by the worker; models that share a machine share its cores, so
#     time them serially (the default) and fan out for throughput.
#
# Accuracy: unsupervised models on all TF x gene pairs against the planted
# edges (AUROC, AUPRC ratio, EPR); supervised models are trained on half of
# the planted edges with 3 sampled negatives per positive (10% of them held out
# for validation) and scored on the other half with its own sampled negatives.
args <- commandArgs(TRUE)
child <- length(args) && args[1] == "--child"
suppressPackageStartupMessages(library(grntorch))

peak_gb <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(gsub("[^0-9]", "", grep("^VmHWM", s, value = TRUE))) * 1024 / 2^30
}

# Planted positives split in two halves; negatives sampled from the other TF x
# target pairs (3 per positive), disjoint between the halves.
planted_pairs <- function(sim, seed = 1) {
  set.seed(seed)
  pos <- sim$truth[, c("from", "to")]
  half <- sample(nrow(pos)) <= nrow(pos) / 2
  targets <- setdiff(rownames(sim$expression), sim$tfs)
  key <- paste(pos$from, pos$to)
  n_neg <- 3 * nrow(pos)
  neg <- data.frame(from = sample(sim$tfs, 2 * n_neg, TRUE), to = sample(targets, 2 * n_neg, TRUE))
  neg <- neg[!paste(neg$from, neg$to) %in% key & !duplicated(paste(neg$from, neg$to)), ][seq_len(n_neg), ]
  nhalf <- seq_len(nrow(neg)) <= nrow(neg) / 2
  lab <- function(p, l) data.frame(from = p$from, to = p$to, label = l, stringsAsFactors = FALSE)
  train_all <- rbind(lab(pos[half, ], 1L), lab(neg[nhalf, ], 0L))
  train_all <- train_all[sample(nrow(train_all)), ]
  val <- seq_len(nrow(train_all)) <= 0.1 * nrow(train_all)
  list(train = train_all[!val, ], validation = train_all[val, ],
       test = rbind(lab(pos[!half, ], 1L), lab(neg[!nhalf, ], 0L)))
}

if (child) {
  model <- args[2]
  n_genes <- as.integer(args[3])
  n_cells <- as.integer(args[4])
  extra <- if (length(args) > 4) args[-(1:4)] else character()
  kv <- list()
  for (a in extra) {
    p <- strsplit(a, "=", fixed = TRUE)[[1]]
    v <- suppressWarnings(as.numeric(p[2]))
    kv[[p[1]]] <- if (is.na(v)) p[2] else v
  }
  threads <- as.integer(Sys.getenv("BENCH_THREADS", "2"))
  sim <- simulate_grn(n_genes, n_cells, dropout = as.numeric(Sys.getenv("BENCH_DROPOUT", "0")),
                      states = as.integer(Sys.getenv("BENCH_STATES", "0")), seed = 1)
  pairs <- planted_pairs(sim)
  args_m <- utils::modifyList(list(seed = 1, threads = threads), kv)  # e.g. seed=2 overrides
  m <- switch(model,
    deepsem = do.call(deepsem, args_m),
    infosem = {
      # Timing stand-in: random 64-d gene embeddings (no real embeddings exist for planted genes).
      set.seed(2)
      emb <- matrix(rnorm(n_genes * 64), n_genes, 64, dimnames = list(rownames(sim$expression), NULL))
      do.call(infosem, c(list(embeddings = emb), args_m))
    },
    regdiffusion = do.call(regdiffusion, args_m),
    pearson = correlation_method("pearson", threads = threads),
    genelink = do.call(genelink, args_m),
    scunigp = do.call(scunigp, args_m),
    genie3 = do.call(genie3, args_m),        # issue 35
    grnboost2 = do.call(grnboost2, args_m),  # issue 35
    stop("unknown model ", model))
  supervised <- isTRUE(m$supervised)
  # The resource planner's prediction for this very call (printed beside the measurement).
  plan <- grn_resources(sim$expression, m, tfs = sim$tfs, train = if (supervised) pairs$train,
                        validation = if (supervised) pairs$validation)
  gc(reset = TRUE)
  # Peak RSS of the fit alone: reset the kernel's high-water mark (VmHWM) after
  # the simulation (Linux >= 4.0; elsewhere the peak includes the simulation).
  try(suppressWarnings(writeLines("5", "/proc/self/clear_refs")), silent = TRUE)
  t0 <- proc.time()[["elapsed"]]
  g <- infer_grn(sim$expression, m, tfs = sim$tfs, train = if (supervised) pairs$train,
                 validation = if (supervised) pairs$validation, verbose = FALSE)
  wall <- proc.time()[["elapsed"]] - t0
  fit_peak <- peak_gb()  # the fit alone (infer_grn(): input, fit and the returned graph), before the evaluation
  fit <- igraph::graph_attr(g, "fit")
  # scUniGP: its GNN pre-training epochs count too (each one encodes the graph at every step).
  epochs <- if (!is.null(fit$loss)) length(fit$loss[[1]])
            else if (!is.null(fit$train_loss)) length(fit$train_loss) + length(fit$pretrain_val_auroc)
            else NA
  ev <- if (supervised) evaluate_grn(g, pairs$test) else evaluate_grn(g, sim$truth)
  cat(sprintf("RESULT %s %d %d %.1f %s %.2f %d %.4f %.3f %.3f %.4f %.2f %.0f %.2f\n", model, n_genes, n_cells, wall,
              if (is.na(epochs)) "NA" else format(epochs), peak_gb(), threads,
              ev[["auroc"]], ev[["auprc_ratio"]], ev[["epr"]], ev[["auprc"]], plan$peak / 2^30, plan$seconds, fit_peak))
  quit(save = "no")
}

size <- c(2500L, 10000L)
models <- c("deepsem", "infosem", "genelink", "scunigp")
rest <- args
if (length(rest) >= 2 && !grepl("=", rest[1]) && !is.na(suppressWarnings(as.integer(rest[1])))) {
  size <- as.integer(rest[1:2])
  rest <- rest[-(1:2)]
}
if (length(rest) && !grepl("=", rest[1])) {
  models <- strsplit(rest[1], ",")[[1]]
  rest <- rest[-1]
}
script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
run_model <- function(model, script, size, rest) {
  # One fresh Rscript per model (its own peak RSS), wherever the worker runs.
  out <- system2(file.path(R.home("bin"), "Rscript"), c(script, "--child", model, size, rest), stdout = TRUE)
  list(model = model, result = grep("^RESULT", out, value = TRUE), tail = utils::tail(out, 5))
}
bench_bpparam <- function(spec, threads) {
  if (!nzchar(spec) || spec == "serial") return(NULL)
  p <- strsplit(spec, ":", fixed = TRUE)[[1]]
  n <- if (length(p) > 1) as.integer(p[2]) else 2L
  if (!requireNamespace("BiocParallel", quietly = TRUE)) stop("BENCH_BPPARAM needs BiocParallel")
  switch(p[1],
    multicore = BiocParallel::MulticoreParam(n),
    snow = BiocParallel::SnowParam(n),
    batchtools = BiocParallel::BatchtoolsParam(n, cluster = "multicore"),
    `batchtools-socket` = BiocParallel::BatchtoolsParam(n, cluster = "socket"),
    slurm = BiocParallel::BatchtoolsParam(n, cluster = "slurm",
      template = system.file("batchtools", "slurm.tmpl", package = "grntorch"),
      resources = list(ncpus = threads, memory = as.integer(Sys.getenv("BENCH_SLURM_MEMORY", "16000")),
                       walltime = as.integer(Sys.getenv("BENCH_SLURM_WALLTIME", "14400")))),
    stop("BENCH_BPPARAM: unknown back-end '", p[1], "' (serial, multicore:N, snow:N, batchtools:N, ",
         "batchtools-socket:N, slurm:N)"))
}
bp <- bench_bpparam(Sys.getenv("BENCH_BPPARAM", ""), as.integer(Sys.getenv("BENCH_THREADS", "2")))
if (!is.null(bp)) cat(sprintf("fanned out through %s (%d workers)\n", class(bp)[1], BiocParallel::bpnworkers(bp)))
cat(sprintf("planted network: %d genes x %d cells (20%% TFs), dropout %s, states %s; model args: %s\n",
            size[1], size[2], Sys.getenv("BENCH_DROPOUT", "0"), Sys.getenv("BENCH_STATES", "0"),
            if (length(rest)) paste(rest, collapse = " ") else "defaults"))
cat(sprintf("%-9s %6s %6s %9s %7s %9s %8s %7s %7s %7s %7s %7s %8s %7s %7s\n", "model", "genes", "cells", "wall_s", "epochs",
            "s/epoch", "peak_GB", "threads", "AUROC", "AUPRC_r", "EPR", "AUPRC", "plan_GB", "plan_s", "fit_GB"))
print_row <- function(res) {
  if (!length(res$result)) {
    cat(sprintf("%-9s failed:\n", res$model))
    cat(res$tail, sep = "\n")
    return(invisible())
  }
  f <- strsplit(sub("^RESULT ", "", res$result), " ")[[1]]
  spe <- if (f[5] == "NA") NA else as.numeric(f[4]) / as.numeric(f[5])
  cat(sprintf("%-9s %6s %6s %9s %7s %9.1f %8s %7s %7s %7s %7s %7s %8s %7s %7s\n", f[1], f[2], f[3], f[4], f[5], spe, f[6], f[7],
              f[8], f[9], f[10], f[11], f[12], f[13], if (length(f) >= 14) f[14] else "NA"))
}
if (is.null(bp)) {
  for (model in models) print_row(run_model(model, script, size, rest))  # a row as soon as it is done
} else {
  res <- BiocParallel::bplapply(models, run_model, script = script, size = size, rest = rest, BPPARAM = bp)
  for (r in res) print_row(r)
}
