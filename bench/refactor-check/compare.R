# Rscript bench/refactor-check/compare.R base.rds new.rds: bit-for-bit networks, supervised test AUROC / selected epochs
a <- readRDS(commandArgs(TRUE)[1]); b <- readRDS(commandArgs(TRUE)[2])
for (k in intersect(names(a), names(b))) {
  x <- a[[k]]; y <- b[[k]]
  if (!is.list(x)) {   # select_genes(): a character vector
    cat(sprintf("%-28s %s\n", k, if (identical(x, y)) "IDENTICAL (bit for bit)" else "DIFFERENT"))
    next
  }
  if (!is.data.frame(x) && !is.null(x$net)) {
    cat(sprintf("%-28s network %s\n", k, if (identical(x$net, y$net)) "IDENTICAL (bit for bit)" else "DIFFERENT"))
  }
  if (is.data.frame(x) || is.null(x$test_auroc)) {
    if (!is.data.frame(x)) { cat(sprintf("%-28s %s\n", k, if (identical(x, y)) "IDENTICAL (bit for bit)" else "DIFFERENT")); next }
    cat(sprintf("%-28s %s (max |diff| %.3g)\n", k, if (identical(x, y)) "IDENTICAL (bit for bit)" else "DIFFERENT",
                if (nrow(x) == nrow(y)) max(abs(x$score - y$score)) else NA))
  } else {
    cat(sprintf("%-28s test AUROC %.4f -> %.4f (3 dp %s); best epoch %s -> %s; epochs %s -> %s; pretrain best %s -> %s\n", k,
                x$test_auroc, y$test_auroc, if (round(x$test_auroc, 3) == round(y$test_auroc, 3)) "same" else "DIFFERENT",
                format(x$best_epoch), format(y$best_epoch), format(x$epochs_run), format(y$epochs_run),
                format(x$pretrain_best_epoch), format(y$pretrain_best_epoch)))
  }
}
