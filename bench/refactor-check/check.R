# Behaviour-unchanged check for refactors (issue 15, issue 32): every model's network, bit for bit.
#   R_LIBS=<lib> OMP_WAIT_POLICY=passive Rscript bench/refactor-check/check.R <out.rds> [parts]   (from the repo root)
# parts: comma list of deepsem,infosem,genelink,scunigp,others,fast (default all).
# Everything with threads = 1 and fixed seeds.  Compare two outputs with compare.R.
args <- commandArgs(trailingOnly = TRUE)
out <- args[1]
parts <- if (length(args) > 1) strsplit(args[2], ",")[[1]] else c("deepsem", "infosem", "genelink", "scunigp", "others", "fast")
suppressPackageStartupMessages(library(grntorch))
cat("grntorch from", find.package("grntorch"), "\n")
dd <- normalizePath(Sys.getenv("GRNTORCH_SHARED_DATA", file.path("..", "shared", "data")), mustWork = TRUE)
res <- if (file.exists(out)) readRDS(out) else list()
save <- function() saveRDS(res, out)
scores <- function(g) { e <- grn_edges(g); e <- e[order(e$from, e$to), ]; rownames(e) <- NULL; e[, c("from", "to", "score")] }
ex <- grntorch_example()
if ("deepsem" %in% parts) {
  t0 <- proc.time()[[3]]
  res$deepsem_ct <- scores(infer_grn(ex$expression, deepsem(epochs = 12, seed = 3, threads = 1), tfs = ex$tfs, verbose = FALSE))
  res$deepsem_ns <- scores(infer_grn(ex$expression[1:300, ], deepsem(epochs = 6, mode = "nonspecific", seed = 4, threads = 1),
                                     tfs = ex$tfs, verbose = FALSE))
  g <- infer_grn(ex$expression[1:300, ], deepsem(epochs = 4, n_runs = 2, seed = 5, threads = 1), tfs = ex$tfs, verbose = FALSE)
  res$deepsem_ens <- cbind(scores(g), stability = grn_edges(g)[order(grn_edges(g)$from, grn_edges(g)$to), "stability"])
  cat(sprintf("deepsem done %.0f s\n", proc.time()[[3]] - t0)); save()
}
if ("infosem" %in% parts) {
  t0 <- proc.time()[[3]]
  res$infosem_b <- scores(infer_grn(ex$expression, infosem(ex$embeddings, epochs = 10, seed = 6, threads = 1),
                                    tfs = ex$tfs, verbose = FALSE))
  res$infosem_bc <- scores(infer_grn(ex$expression, infosem(ex$embeddings, prior_edges = ex$split$train, epochs = 10, seed = 7, threads = 1),
                                     tfs = ex$tfs, verbose = FALSE))
  res$infosem_off <- scores(infer_grn(ex$expression[1:400, ], infosem(ex$embeddings, parametrization = "offset", sigma_w = 10,
                                      epochs = 6, seed = 8, threads = 1), tfs = ex$tfs, verbose = FALSE))
  cat(sprintf("infosem done %.0f s\n", proc.time()[[3]] - t0)); save()
}
load_split <- function(key) {
  d <- file.path(dd, "beeline", paste0(key, "-tfs500"))
  expr <- as.matrix(utils::read.csv(gzfile(file.path(d, "BL--ExpressionData.csv.gz")), row.names = 1, check.names = FALSE))
  genes <- utils::read.csv(file.path(d, "Target.csv"))$Gene
  tfs <- utils::read.csv(file.path(d, "TF.csv"))$TF
  split <- lapply(c(train = "Train_set", validation = "Validation_set", test = "Test_set"), function(f) {
    s <- utils::read.csv(gzfile(file.path(d, "splits", "bridge-grn-sample1", paste0(f, ".csv.gz"))))
    data.frame(from = genes[s$TF + 1L], to = genes[s$Target + 1L], label = as.integer(s$Label), stringsAsFactors = FALSE)
  })
  list(expr = expr, tfs = tfs, split = split)
}
auroc <- function(s, y) { r <- rank(s); np <- sum(y == 1); nn <- sum(y == 0); (sum(r[y == 1]) - np * (np + 1) / 2) / (np * nn) }
sup_run <- function(d, m) {
  t0 <- proc.time()[[3]]
  g <- infer_grn(d$expr, m, tfs = d$tfs, train = d$split$train, validation = d$split$validation, verbose = FALSE)
  e <- grn_edges(g)
  s <- e$score[match(paste(d$split$test$from, d$split$test$to), paste(e$from, e$to))]
  s[is.na(s)] <- 0
  fit <- igraph::graph_attr(g, "fit")
  list(test_auroc = auroc(s, d$split$test$label), best_epoch = fit$best_epoch,
       epochs_run = if (!is.null(fit$epochs_run)) fit$epochs_run else length(fit$val_auroc),
       pretrain_best_epoch = fit$pretrain_best_epoch, n_pretrain = length(fit$pretrain_val_auroc),
       val_auroc = fit$val_auroc, net = scores(g), seconds = proc.time()[[3]] - t0)
}
keys <- c("string/mHSC-L", "non-specific/mESC")
for (key in keys) {
  d <- load_split(key)
  if ("genelink" %in% parts) {
    r <- sup_run(d, genelink(seed = 1, threads = 1)); res[[paste("genelink", key)]] <- r
    cat(sprintf("genelink %s: test AUROC %.4f best %s of %s (%.0f s)\n", key, r$test_auroc, r$best_epoch, r$epochs_run, r$seconds)); save()
  }
  if ("scunigp" %in% parts) {
    r <- sup_run(d, scunigp(seed = 1, threads = 1)); res[[paste("scunigp", key)]] <- r
    cat(sprintf("scunigp %s: test AUROC %.4f best %s of %s, pretrain best %s of %s (%.0f s)\n", key, r$test_auroc, r$best_epoch,
                r$epochs_run, r$pretrain_best_epoch, r$n_pretrain, r$seconds)); save()
  }
  if ("others" %in% parts && key == keys[1]) {
    r <- sup_run(d, gnnlink(seed = 1, threads = 1)); res[[paste("gnnlink", key)]] <- r
    cat(sprintf("gnnlink %s: test AUROC %.4f best %s of %s\n", key, r$test_auroc, r$best_epoch, r$epochs_run))
    set.seed(1)
    emb <- matrix(rnorm(nrow(d$expr) * 16), nrow(d$expr), dimnames = list(rownames(d$expr), NULL))
    r <- sup_run(d, scregnet(embeddings = emb, seed = 1, threads = 1)); res[[paste("scregnet", key)]] <- r
    cat(sprintf("scregnet %s: test AUROC %.4f best %s of %s\n", key, r$test_auroc, r$best_epoch, r$epochs_run))
    r <- sup_run(d, sctransnet(embeddings = emb, epochs = 20, seed = 2, threads = 1)); res[[paste("sctransnet", key)]] <- r
    cat(sprintf("sctransnet %s: test AUROC %.4f best %s of %s\n", key, r$test_auroc, r$best_epoch, r$epochs_run))
    r <- sup_run(d, scregnet(embeddings = emb, gnn = "gat", epochs = 15, seed = 3, threads = 1)); res[[paste("scregnet-gat", key)]] <- r
    r <- sup_run(d, genelink(epochs = 10, n_runs = 2, seed = 4, threads = 1)); res[[paste("genelink-ens", key)]] <- r
    save()
  }
}
if ("fast" %in% parts) {
  # the models and helpers without a long fit: correlation, baselines, simulation, gene selection, input checks
  d <- load_split("string/mHSC-L")
  for (ty in c("pearson", "spearman"))
    res[[ty]] <- scores(infer_grn(d$expr, correlation_method(ty, threads = 1), tfs = d$tfs, verbose = FALSE))
  bl <- list(random = random_baseline(seed = 5), onehot = onehot_lr(seed = 6), matcomp = matcomp(rank = 16, iterations = 20, seed = 7),
             degree = degree_baseline())
  for (nm in names(bl))
    res[[paste0("baseline-", nm)]] <- sup_run(d, bl[[nm]])$net
  sim <- simulate_grn(n_genes = 200, n_cells = 300, seed = 11)
  res$simulate <- sim
  res$select_genes <- select_genes(d$expr, tfs = d$tfs, n = 200)
  sp <- Matrix::Matrix(d$expr, sparse = TRUE)
  res$sparse_pearson <- scores(infer_grn(sp, correlation_method("pearson", threads = 1), tfs = d$tfs, verbose = FALSE))
  save(); cat("fast done\n")
}
cat("wrote", out, "\n")
