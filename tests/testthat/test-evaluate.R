# evaluate_grn(): checked against independent computations written here.

# Plain-R references (written separately from the engine's sweep): one point
# per distinct score, highest first.
ref_curve <- function(score, label) {
  o <- order(score, decreasing = TRUE)
  s <- score[o]
  tp <- cumsum(label[o])
  last <- which(c(s[-1] != s[-length(s)], TRUE))   # last row of each distinct score
  list(recall = tp[last] / sum(label), precision = tp[last] / last)
}
ref_auprc_trapezoid <- function(score, label) {
  cv <- ref_curve(score, label)
  r <- c(0, cv$recall)
  p <- c(1, cv$precision)
  sum(diff(r) * (head(p, -1) + tail(p, -1)) / 2)
}
ref_average_precision <- function(score, label) {
  cv <- ref_curve(score, label)
  sum(diff(c(0, cv$recall)) * cv$precision)
}

toy_truth <- data.frame(from = c("A", "A", "B", "A", "C"), to = c("B", "C", "C", "B", "C"))  # dup A->B, self C->C

test_that("hand-worked universe case: ties, zero scores, duplicated truth rows", {
  # Universe: regulators {A, B} (C only regulates itself: dropped) x genes {A, B, C}, no self-pairs:
  # A->B (1), A->C (1), B->A (0), B->C (1).  Density 3/4.
  net <- data.frame(from = c("A", "A", "B", "X"), to = c("B", "C", "A", "A"), weight = c(0.9, 0.5, 0.5, 3))
  ev <- evaluate_grn(net, toy_truth)
  expect_s3_class(ev, "grn_evaluation")
  expect_equal(ev$n_pairs, 4)
  expect_equal(ev$n_positive, 3)
  expect_equal(ev$density, 3 / 4)
  expect_equal(ev$n_scored, 3)                       # B->C missing: scores 0; X->A outside the universe
  # EPR: k = 3, 3rd largest |w| = 0.5, smallest non-zero 0.5 -> take A->B, A->C, B->A: 2 of 3 true.
  expect_equal(ev$early_precision, 2 / 3)
  expect_equal(ev$epr, (2 / 3) / (3 / 4))
  # Hit@1%: top ceiling(0.04) = 1 pair = A->B (true).
  expect_equal(ev$hit_1pct, 1)
  # Hit@50%: 2 slots: A->B (1) + half of the tied {A->C (1), B->A (0)} -> 1.5 / 2.
  expect_equal(evaluate_grn(net, toy_truth, hit = 0.5)$hit_50pct, 0.75)
  # AUROC: positives 0.9, 0.5, 0 vs negative 0.5 -> (1 + 0.5 + 0) / 3.
  expect_equal(ev$auroc, 0.5)
  expect_equal(ev$auprc, 61 / 72)                    # worked by hand
  expect_equal(ev$average_precision, 29 / 36)
  expect_equal(ev$auprc_ratio, (61 / 72) / (3 / 4))
})

test_that("EPR never takes zero weights and handles a short prediction list", {
  net <- data.frame(from = "A", to = "B", weight = 0.9)   # k = 3 but only one non-zero prediction
  ev <- evaluate_grn(net, toy_truth)
  expect_equal(ev$early_precision, 1)
  expect_equal(ev$epr, 4 / 3)
  zero <- data.frame(from = c("A", "B"), to = c("B", "A"), weight = 0)
  ev0 <- evaluate_grn(zero, toy_truth)
  expect_equal(ev0$early_precision, 0)                 # nothing predicted, nothing taken
  expect_equal(ev0$auroc, 0.5)                         # all tied
  expect_equal(ev0$hit_1pct, 3 / 4)                    # a tie across the cut: the density
})

test_that("signed scores rank by |score| by default, by score with use = 'score'", {
  net <- data.frame(from = c("A", "A", "B", "B"), to = c("B", "C", "A", "C"), score = c(-0.9, 0.2, 0.5, 0.1))
  ev <- evaluate_grn(net, toy_truth)
  expect_equal(ev$hit_1pct, 1)   # |-0.9| is the top
  ev2 <- evaluate_grn(net, toy_truth, use = "score")
  expect_equal(ev2$hit_1pct, 0)  # 0.5 (B->A, false) is the top
})

test_that("metrics match the plain-R references on random data with many ties", {
  set.seed(11)
  n <- 3000
  score <- round(runif(n), 2)
  score[sample(n, 500)] <- 0
  label <- rbinom(n, 1, 0.2)
  truth <- data.frame(from = paste0("R", seq_len(n)), to = paste0("T", seq_len(n)), label = label)
  net <- data.frame(from = truth$from, to = truth$to, weight = score)
  ev <- evaluate_grn(net, truth)
  expect_equal(ev$mode, "pairs")
  expect_equal(ev$auprc, ref_auprc_trapezoid(score, label), tolerance = 1e-12)
  expect_equal(ev$average_precision, ref_average_precision(score, label), tolerance = 1e-12)
  pos <- score[label == 1]; neg <- score[label == 0]
  mw <- mean(outer(pos, neg, ">") + 0.5 * outer(pos, neg, "=="))
  expect_equal(ev$auroc, mw, tolerance = 1e-12)
  if (requireNamespace("ROCR", quietly = TRUE)) {
    auc <- ROCR::performance(ROCR::prediction(score, label), "auc")@y.values[[1]]
    expect_equal(ev$auroc, auc, tolerance = 1e-12)
  }
})

test_that("universe mode on real data: AUROC equals ROCR's to 1e-9, AUPRC/AP equal the references", {
  skip_if_not_installed("ROCR")
  ex <- grntorch_example()
  g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
  ev <- evaluate_grn(g, ex$truth)
  # Independent universe: truth regulators x truth genes, no self-pairs, missing = 0.
  tr <- unique(ex$truth[ex$truth$from != ex$truth$to, ])
  regs <- unique(tr$from); genes <- unique(c(tr$from, tr$to))
  u <- expand.grid(from = regs, to = genes, stringsAsFactors = FALSE)
  u <- u[u$from != u$to, ]
  e <- grn_edges(g)
  key <- paste(u$from, u$to)
  w <- e$weight[match(key, paste(e$from, e$to))]
  w[is.na(w)] <- 0
  lab <- as.integer(key %in% paste(tr$from, tr$to))
  expect_equal(ev$n_pairs, nrow(u))
  expect_equal(ev$n_positive, sum(lab))
  auc <- ROCR::performance(ROCR::prediction(w, lab), "auc")@y.values[[1]]
  expect_lt(abs(ev$auroc - auc), 1e-9)
  expect_equal(ev$auprc, ref_auprc_trapezoid(w, lab), tolerance = 1e-10)
  expect_equal(ev$average_precision, ref_average_precision(w, lab), tolerance = 1e-10)
  # Hit@1%: the top ceiling(1%) pairs, computed directly (ties are negligible here).
  m <- ceiling(0.01 * length(w))
  expect_equal(ev$hit_1pct, mean(lab[order(-w)][seq_len(m)]), tolerance = 1e-12)
  # The same network as a data.frame and as a matrix gives the same numbers.
  expect_equal(unclass(evaluate_grn(e, ex$truth))$auroc, ev$auroc)
  expect_output(print(ev), "auroc")
  # a column subset prints as a table (it lost the universe's columns)
  sub <- ev[, c("epr", "auroc")]
  expect_output(print(sub), "epr.*auroc")
  expect_output(print(sub), format(round(ev$auroc, 4)))
})

test_that("pairs mode: exact pairs, missing predictions, conflicting labels", {
  truth <- data.frame(from = c("a", "A", "B", "B"), to = c("b", "B", "C", "A"), label = c(1, 1, 0, 1))
  net <- data.frame(from = c("A", "B"), to = c("B", "C"), weight = c(0.8, 0.1))
  expect_error(evaluate_grn(net, truth), "missing = 0", class = "grntorch_error")
  ev <- evaluate_grn(net, truth, missing = 0)
  expect_equal(ev$n_pairs, 3)                   # "a"->"b" and "A"->"B" are one pair
  expect_equal(ev$n_scored, 2)
  expect_equal(ev$auroc, (1 + 0) / 2)           # positives 0.8 and 0 (missing) vs negative 0.1
  bad <- rbind(truth, data.frame(from = "A", to = "B", label = 0))
  expect_error(evaluate_grn(net, bad, missing = 0), "both labels")
})

test_that("bad input is a clear error naming the argument", {
  net <- data.frame(from = "A", to = "B", weight = 1)
  expect_error(evaluate_grn(list(), toy_truth), "`net`")
  expect_error(evaluate_grn(data.frame(from = "A", to = "B", weight = NA_real_), toy_truth), "`net`.*finite")
  expect_error(evaluate_grn(net, data.frame(x = 1)), "`truth`")
  expect_error(evaluate_grn(net, data.frame(from = "A", to = "A")), "`truth`.*no edges")
  expect_error(evaluate_grn(net, toy_truth, hit = 2), "`hit`")
  expect_error(evaluate_grn(net, toy_truth, mode = "pairs"), "`truth`.*label")
  expect_error(evaluate_grn(net, toy_truth, foo = 1), "`...`")
})
