# One measured fit for bench/resources.R, run in a fresh Rscript so that its
# peak RSS (VmHWM) is the fit's alone:
#   Rscript bench/resources-child.R <model> <genes> <cells> <regulators> [<method expression>]
# model: base (library(grntorch) only), edges (the output stage on a
# <regulators> x <genes> score matrix), or a method name of infer_grn().  The
# method expression (R code, e.g. "deepsem(epochs = 2, seed = 1)") overrides
# the default parameter object.  Prints one line
#   RESULT <model> <genes> <cells> <regulators> <vmhwm bytes> <seconds> <predicted bytes>
# where predicted is grn_resources()'s peak for the same call.  With the
# environment variable GRNTORCH_FIT_ONLY=1 only the model is fitted (no
# output stage, x given as the expression) and predicted is base + input + model.
suppressPackageStartupMessages(library(grntorch))
args <- commandArgs(trailingOnly = TRUE)
model <- args[1]
G <- as.integer(args[2]); C <- as.integer(args[3]); R <- as.integer(args[4])
expr_txt <- if (length(args) >= 5) args[5] else NULL

vmhwm <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(sub("^VmHWM:\\s*([0-9]+) kB.*$", "\\1", grep("^VmHWM:", s, value = TRUE))) * 1024
}
done <- function(seconds, predicted = NA) {
  cat(sprintf("RESULT %s %d %d %d %.0f %.2f %.0f\n", model, G, C, R, vmhwm(), seconds, predicted))
}

if (model == "base") {
  invisible(grntorch::correlation_method())
  done(0)
  quit(save = "no")
}

set.seed(1)
genes <- sprintf("G%05d", seq_len(G))
if (model == "edges") {
  # The output stage alone, as infer_grn() runs it with top = NULL.
  s <- matrix(stats::rnorm(R * G), R, G, dimnames = list(genes[seq_len(R)], genes))
  m <- correlation_method("pearson")
  t0 <- proc.time()[[3]]
  g <- grntorch:::.as_grn_graph(list(scores = s), genes = genes, regulators = genes[seq_len(R)], method = m,
                                n_cells = 10L, top = NULL)
  done(proc.time()[[3]] - t0)
  quit(save = "no")
}

x <- matrix(stats::rnorm(G * C), G, C, dimnames = list(genes, sprintf("c%d", seq_len(C))))
tfs <- genes[seq_len(R)]
method <- if (!is.null(expr_txt)) eval(parse(text = expr_txt)) else model
train <- validation <- NULL
if (model %in% c("genelink", "gnnlink", "scregnet", "sctransnet", "scunigp", "onehot_lr", "matcomp")) {
  # Random labelled TF -> gene pairs (10% positive), disjoint train / validation.
  n_pairs <- min(R * (G - 1), 3000L)
  idx <- sample.int(R * G, n_pairs + 200L)
  pairs <- data.frame(from = tfs[(idx - 1L) %% R + 1L], to = genes[(idx - 1L) %/% R + 1L], stringsAsFactors = FALSE)
  pairs <- pairs[pairs$from != pairs$to, , drop = FALSE][seq_len(n_pairs), ]
  pairs$label <- as.integer(seq_len(n_pairs) %% 10L == 0L)
  nv <- round(0.2 * n_pairs)
  validation <- pairs[seq_len(nv), ]
  train <- pairs[-seq_len(nv), ]
}
pred <- if (exists("grn_resources", asNamespace("grntorch"))) {
  grn_resources(x, method, tfs = tfs, train = train, validation = validation)
} else list(peak = NA)
t0 <- proc.time()[[3]]
if (nzchar(Sys.getenv("GRNTORCH_FIT_ONLY"))) {
  # The fit without the output stage (calibrates the model term alone).
  method <- grntorch:::.resolve_method(method)
  data <- list(expr = x, regulators = tfs, train = train, validation = validation, verbose = FALSE)
  fit <- eval(quote(.fit_method(method, data)), list(method = method, data = data), asNamespace("grntorch"))
  pred$peak <- sum(pred$parts[c("base", "input", "model")])  # x itself is the expression here
} else {
  g <- infer_grn(x, method, tfs = tfs, train = train, validation = validation, verbose = FALSE)
}
done(proc.time()[[3]] - t0, pred$peak)
