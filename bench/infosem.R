# InfoSEM benchmark (Cui et al. 2025, section 4.2 / Table 2): the unseen-genes
# split of the ground truth, DeepSEM vs InfoSEM-B vs InfoSEM-BC vs the trivial
# baselines (random, one-hot LR, matrix completion), plus InfoSEM-B with
# one-hot and random embeddings as negative controls; AUPRC (average
# precision) and Hit@1% on test_seen and test_unseen, mean +- s.e. over seeds;
# then InfoSEM-B's cost per epoch relative to DeepSEM's.
#
# Run: Rscript bench/infosem.R            (needs ../shared/data)
# Environment:
#   GRNTORCH_BENCH_SEEDS     number of split seeds (default 10)
#   GRNTORCH_BENCH_EPOCHS    epochs of every DeepSEM-style model (default 120, the reference's)
#   GRNTORCH_BENCH_DATASETS  comma-separated: mESC (BioBERT), hHEP (GO embeddings); default both
#   GRNTORCH_BENCH_THREADS   LibTorch threads per run (default 2)
#   GRNTORCH_BENCH_TIMING    "0" skips the separate cost-per-epoch measurement
#   GRNTORCH_BENCH_WORKERS   parallel workers over seeds (BiocParallel::MulticoreParam; default 1)
#   GRNTORCH_BENCH_OUT       optional .rds file for the raw results
suppressPackageStartupMessages(library(grntorch))
dd <- Sys.getenv("GRNTORCH_SHARED_DATA", "../shared/data")
n_seeds <- as.integer(Sys.getenv("GRNTORCH_BENCH_SEEDS", "10"))
epochs <- as.integer(Sys.getenv("GRNTORCH_BENCH_EPOCHS", "120"))
threads <- as.integer(Sys.getenv("GRNTORCH_BENCH_THREADS", "2"))
which_ds <- strsplit(Sys.getenv("GRNTORCH_BENCH_DATASETS", "mESC,hHEP"), ",")[[1]]
timing <- Sys.getenv("GRNTORCH_BENCH_TIMING", "1") != "0"
workers <- as.integer(Sys.getenv("GRNTORCH_BENCH_WORKERS", "1"))
bp <- if (workers > 1 && requireNamespace("BiocParallel", quietly = TRUE)) {
  BiocParallel::MulticoreParam(workers)
} else if (requireNamespace("BiocParallel", quietly = TRUE)) BiocParallel::SerialParam() else NULL
bench <- function(ds, ms) {
  args <- list(ds, ms, schemes = "unseen_genes", seeds = seq_len(n_seeds), verbose = FALSE)
  if (!is.null(bp)) args$BPPARAM <- bp
  do.call(benchmark_grn, args)
}
t_all <- proc.time()[["elapsed"]]

controls <- function(genes, d, seed = 1) {
  onehot <- diag(length(genes))
  dimnames(onehot) <- list(genes, genes)
  rnd <- withr_free_seed(seed, matrix(stats::rnorm(length(genes) * d), length(genes), d, dimnames = list(genes, NULL)))
  list(onehot = onehot, random = rnd)
}
withr_free_seed <- function(seed, expr) { set.seed(seed); expr }

sem_methods <- function(emb, ctl, sigma_w, sigma_l) {
  common <- list(epochs = epochs, threads = threads, seed = 1)
  list(
    DeepSEM = do.call(deepsem, common),
    `InfoSEM-B` = do.call(infosem, c(list(embeddings = emb, sigma_w = sigma_w), common)),
    `InfoSEM-BC` = do.call(infosem, c(list(embeddings = emb, prior_edges = "train", sigma_w = sigma_w,
                                          sigma_l = sigma_l), common)),
    `InfoSEM-B (one-hot emb.)` = do.call(infosem, c(list(embeddings = ctl$onehot, sigma_w = sigma_w), common)),
    `InfoSEM-B (random emb.)` = do.call(infosem, c(list(embeddings = ctl$random, sigma_w = sigma_w), common)),
    random = random_baseline(),
    `one-hot LR` = onehot_lr(),
    MatComp = matcomp(rank = 128)
  )
}

table_of <- function(res, title) {
  s <- summary(res)
  fmt <- function(m, t, k) {
    r <- s[s$method == m & s$test_set == t & s$metric == k, ]
    if (!nrow(r)) return(NA_character_)
    sprintf("%.3f ± %.3f", r$mean, r$se)
  }
  meths <- unique(res$method)
  tab <- data.frame(method = meths, stringsAsFactors = FALSE, check.names = FALSE)
  for (t in c("test_unseen", "test_seen")) {
    tab[[paste("AUPRC", t)]] <- vapply(meths, fmt, "", t = t, k = "average_precision")
    tab[[paste("Hit@1%", t)]] <- vapply(meths, fmt, "", t = t, k = "hit_1pct")
  }
  tab$`fit s` <- vapply(meths, function(m) sprintf("%.0f", mean(res$seconds[res$method == m])), "")
  dens <- s[s$metric == "density" & s$method == meths[1], ]
  cat(sprintf("\n== %s: unseen_genes split, %d seeds, mean ± s.e.; %d epochs for the SEM models, %d threads\n",
              title, length(unique(res$seed)), epochs, threads))
  cat(sprintf("   random level (density): test_unseen %.3f, test_seen %.3f\n",
              dens$mean[dens$test_set == "test_unseen"], dens$mean[dens$test_set == "test_seen"]))
  print(tab, row.names = FALSE, right = FALSE)
  # the acceptance comparisons, per seed (paired)
  w <- res[res$metric == "average_precision" & res$test_set == "test_unseen", ]
  per <- function(m) { x <- w[w$method == m, ]; stats::setNames(x$value, x$seed) }
  ds <- per("DeepSEM"); b <- per("InfoSEM-B"); bc <- per("InfoSEM-BC"); rnd <- per("InfoSEM-B (random emb.)")
  k <- intersect(names(ds), intersect(names(b), intersect(names(bc), names(rnd))))
  pd <- function(x, y) { d <- x[k] - y[k]; sprintf("%+.4f ± %.4f (%d/%d seeds > 0)", mean(d), stats::sd(d) / sqrt(length(d)), sum(d > 0), length(d)) }
  cat("   paired differences of test_unseen AUPRC (mean ± s.e.):\n")
  cat("     InfoSEM-B  - DeepSEM   :", pd(b, ds), "\n")
  cat("     InfoSEM-BC - InfoSEM-B :", pd(bc, b), "\n")
  cat("     B(random)  - DeepSEM   :", pd(rnd, ds), "\n")
  # cost: the same number of epochs, fitted in the same worker one after the other
  sec <- function(m) { x <- res[res$method == m & res$metric == "auroc" & res$test_set == "test_unseen", ]; stats::setNames(x$seconds, x$seed) }
  sd_ <- sec("DeepSEM"); sb <- sec("InfoSEM-B"); sbc <- sec("InfoSEM-BC")
  cat(sprintf("   fit time per run (same epochs; includes R-side work): InfoSEM-B / DeepSEM = %.2f (median over seeds), InfoSEM-BC / DeepSEM = %.2f\n",
              stats::median(sb[k] / sd_[k]), stats::median(sbc[k] / sd_[k])))
  invisible(tab)
}

results <- list()
if ("mESC" %in% which_ds) {
  b <- read_beeline(file.path(dd, "beeline", "specific", "mESC-tfs500"))
  ed <- file.path(dd, "embeddings", "biobert-scgreat", "mESC-tfs500")
  emb <- read_embeddings(file.path(ed, "biovect768.npy"), row_names = file.path(ed, "biovect768_rownames.txt"), skip = 1)
  genes <- rownames(b$expression)
  cat(sprintf("mESC: %d genes x %d cells; BioBERT %d x %d\n", nrow(b$expression), ncol(b$expression), nrow(emb), ncol(emb)))
  # appendix D, cell-type specific mESC: sigma_w = 1, sigma_l = 0.1
  ms <- sem_methods(emb, controls(genes, ncol(emb)), sigma_w = 1, sigma_l = 0.1)
  res <- bench(list(`specific/mESC-tfs500` = b), ms)
  results$mESC <- res
  table_of(res, "specific/mESC-tfs500, BioBERT embeddings")
}
if ("hHEP" %in% which_ds) {
  b <- read_beeline(file.path(dd, "beeline", "specific", "hHEP-tfs500"))
  genes <- rownames(b$expression)
  t0 <- proc.time()[["elapsed"]]
  emb <- gene_embeddings_go(genes, n_components = 64, verbose = TRUE)
  cat(sprintf("hHEP: %d genes x %d cells; GO embeddings %d x %d in %.0f s, %d genes with a GO profile\n",
              nrow(b$expression), ncol(b$expression), nrow(emb), ncol(emb), proc.time()[["elapsed"]] - t0,
              attr(emb, "n_annotated")))
  # appendix D, cell-type specific hHEP: sigma_w = 10, sigma_l = sqrt(0.1)
  ms <- sem_methods(emb, controls(genes, ncol(emb)), sigma_w = 10, sigma_l = sqrt(0.1))
  res <- bench(list(`specific/hHEP-tfs500` = b), ms)
  results$hHEP <- res
  table_of(res, "specific/hHEP-tfs500, GO embeddings")
}

if (timing) {
  # Cost per epoch: DeepSEM vs InfoSEM-B on mESC, alternating runs, the
  # engine's own per-epoch wall times (net and A epochs together).
  b <- read_beeline(file.path(dd, "beeline", "specific", "mESC-tfs500"))
  ed <- file.path(dd, "embeddings", "biobert-scgreat", "mESC-tfs500")
  emb <- read_embeddings(file.path(ed, "biovect768.npy"), row_names = file.path(ed, "biovect768_rownames.txt"), skip = 1)
  ep <- 30L
  per_epoch <- function(g) {
    f <- igraph::graph_attr(g, "fit")
    if (!is.null(f$epoch_seconds)) return(mean(unlist(f$epoch_seconds)))
    sum(f$seconds) / ep
  }
  reps <- 3L
  tt <- data.frame(run = integer(), DeepSEM = numeric(), InfoSEM_B = numeric(), InfoSEM_BC = numeric())
  for (r in seq_len(reps)) {
    g1 <- infer_grn(b$expression, deepsem(epochs = ep, seed = r, threads = threads), tfs = b$tfs, verbose = FALSE)
    g2 <- infer_grn(b$expression, infosem(emb, sigma_w = 1, epochs = ep, seed = r, threads = threads), tfs = b$tfs, verbose = FALSE)
    g3 <- infer_grn(b$expression, infosem(emb, prior_edges = b$splits[[1]]$train, epochs = ep, seed = r, threads = threads),
                    tfs = b$tfs, verbose = FALSE)
    tt[r, ] <- c(r, per_epoch(g1), per_epoch(g2), per_epoch(g3))
  }
  cat(sprintf("\n== cost per epoch on specific/mESC-tfs500 (%d epochs, %d threads, %d alternating repeats; shared 2-core machine, noisy)\n",
              ep, threads, reps))
  print(tt, row.names = FALSE, digits = 3)
  cat(sprintf("   InfoSEM-B / DeepSEM  = %.2f (median of per-repeat ratios; target <= 1.3, paper 1.2)\n",
              stats::median(tt$InfoSEM_B / tt$DeepSEM)))
  cat(sprintf("   InfoSEM-BC / DeepSEM = %.2f\n", stats::median(tt$InfoSEM_BC / tt$DeepSEM)))
}
cat(sprintf("\ntotal %.0f s\n", proc.time()[["elapsed"]] - t_all))
out <- Sys.getenv("GRNTORCH_BENCH_OUT", "")
if (nzchar(out)) saveRDS(results, out)
