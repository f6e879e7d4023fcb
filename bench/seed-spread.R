# Seed spread of the supervised models on the small shared splits (issue 15,
# point 6): test AUROC over seeds of scRegNet (GO embeddings) and GENELink on
# the bridge-grn-sample1 splits of string/mHSC-L, non-specific/mHSC-L and
# string/mDC (TFs+500), one thread each, default arguments unless given.
#
#   Rscript bench/seed-spread.R                                  # seeds 1-5, the three splits
#   Rscript bench/seed-spread.R --seeds 1:3 --splits string/mHSC-L
#   Rscript bench/seed-spread.R --extra 'select_window = 1, select_average = FALSE'   # the old per-epoch rule
#
# Test pairs are only scored, never used to choose anything.  GO embeddings
# come from gene_embeddings_go() (Debian's GO.db / org.Hs.eg.db).
args <- commandArgs(trailingOnly = TRUE)
opt <- function(name, default) { i <- match(paste0("--", name), args); if (is.na(i)) default else args[i + 1L] }
suppressPackageStartupMessages(library(grntorch))
data_dir <- normalizePath(Sys.getenv("GRNTORCH_SHARED_DATA", file.path("..", "shared", "data")), mustWork = TRUE)
seeds <- eval(parse(text = opt("seeds", "1:5")))
splits <- strsplit(opt("splits", "string/mHSC-L,non-specific/mHSC-L,string/mDC"), ",")[[1]]
extra <- eval(parse(text = sprintf("list(%s)", opt("extra", ""))))
models <- strsplit(opt("models", "scregnet,genelink"), ",")[[1]]

load_split <- function(key) {
  d <- file.path(data_dir, "beeline", paste0(key, "-tfs500"))
  expr <- as.matrix(utils::read.csv(gzfile(file.path(d, "BL--ExpressionData.csv.gz")), row.names = 1, check.names = FALSE))
  genes <- utils::read.csv(file.path(d, "Target.csv"))$Gene
  split <- lapply(c(train = "Train_set", validation = "Validation_set", test = "Test_set"), function(f) {
    s <- utils::read.csv(gzfile(file.path(d, "splits", "bridge-grn-sample1", paste0(f, ".csv.gz"))))
    data.frame(from = genes[s$TF + 1L], to = genes[s$Target + 1L], label = as.integer(s$Label), stringsAsFactors = FALSE)
  })
  list(expr = expr, tfs = utils::read.csv(file.path(d, "TF.csv"))$TF, split = split)
}

rows <- list()
for (key in splits) {
  d <- load_split(key)
  emb <- if ("scregnet" %in% models) gene_embeddings_go(rownames(d$expr), n_components = 64, verbose = FALSE)
  for (model in models) for (s in seeds) {
    m <- if (model == "scregnet") do.call(scregnet, c(list(embeddings = emb, seed = s, threads = 1), extra))
         else do.call(genelink, c(list(seed = s, threads = 1), extra[names(extra) %in% names(formals(genelink))]))
    g <- infer_grn(d$expr, m, tfs = d$tfs, train = d$split$train, validation = d$split$validation, verbose = FALSE)
    ev <- evaluate_grn(g, d$split$test, missing = 0)
    fit <- igraph::graph_attr(g, "fit")
    rows[[length(rows) + 1L]] <- data.frame(split = key, model = model, seed = s, auroc = ev$auroc,
                                            best_epoch = fit$best_epoch, epochs_run = fit$epochs_run)
    cat(sprintf("%s %s seed %d: test AUROC %.4f (epoch %d of %d)\n", key, model, s, ev$auroc, fit$best_epoch, fit$epochs_run))
  }
}
tab <- do.call(rbind, rows)
agg <- do.call(rbind, lapply(split(tab, list(tab$split, tab$model), drop = TRUE), function(t)
  data.frame(split = t$split[1], model = t$model[1], n = nrow(t), mean = mean(t$auroc), sd = stats::sd(t$auroc),
             min = min(t$auroc))))
cat("\n== test AUROC over seeds\n")
print(agg, row.names = FALSE, digits = 3)
