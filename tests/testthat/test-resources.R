# The resource planner: grn_resources() and the refusal in infer_grn().

mem_classes <- c("grntorch_memory_error", "grntorch_engine_error", "grntorch_error", "error", "condition")

test_that("grn_resources() returns sane figures that grow as the formulas say", {
  ex <- grntorch_example()
  r <- grn_resources(ex$expression, "deepsem", tfs = ex$tfs)
  expect_s3_class(r, "grn_resources")
  expect_identical(r$dims$genes, nrow(ex$expression))
  expect_identical(r$dims$cells, ncol(ex$expression))
  expect_identical(r$dims$regulators, sum(toupper(rownames(ex$expression)) %in% toupper(ex$tfs)))
  pt <- r$parts
  expect_equal(r$peak, pt[["base"]] + pt[["input"]] + pt[["expression"]] + max(pt[["model"]], pt[["output"]]))
  expect_gt(r$parts[["model"]], 0)
  expect_gt(r$peak, 2e8)   # at least R with LibTorch loaded
  expect_lt(r$peak, 5e9)   # a BEELINE-sized DeepSEM is far below this
  expect_true(is.finite(r$epoch_seconds) && r$epoch_seconds > 0)
  expect_equal(r$seconds, r$epoch_seconds * r$epochs, tolerance = 0.05)
  out <- capture.output(print(r))
  expect_match(out[1], "^DeepSEM on 1,120 genes \\(\\d+ regulators\\) x 421 cells: peak memory ~[0-9.]+ [MG]B \\(available ")
  expect_match(out[1], "for 120 epochs on 2 threads")

  # DeepSEM's model term is quadratic in the genes (A is genes x genes).
  m <- deepsem(epochs = 10, seed = 1)
  d <- list(genes = 2000, regulators = 100, cells = 500, n_train = 0, n_validation = 0, top = 1000)
  plan <- function(m, d) {
    p <- grntorch:::.plan_resources(m, d)
    list(bytes = p$parts[["model"]], epoch_seconds = p$epoch_seconds)
  }
  m1 <- plan(m, d)$bytes
  m2 <- plan(m, modifyList(d, list(genes = 4000)))$bytes
  expect_gt(m2 / m1, 2.5)
  expect_lt(m2 / m1, 4)
  # more cells cost memory (cached encoder outputs) and time (batches)
  c2 <- plan(m, modifyList(d, list(cells = 5000)))
  expect_gt(c2$bytes, m1)
  expect_gt(c2$epoch_seconds, plan(m, d)$epoch_seconds)
  # cells_per_epoch bounds an epoch's time (batches), not the memory (all cells stay on the engine)
  cp <- plan(deepsem(epochs = 10, seed = 1, cells_per_epoch = 500), modifyList(d, list(cells = 5000)))
  expect_equal(cp$epoch_seconds, plan(m, d)$epoch_seconds)
  expect_equal(cp$bytes, c2$bytes)
  # a larger batch or hidden layer costs activations
  expect_gt(plan(deepsem(batch_size = 256, seed = 1), d)$bytes, m1)
  # the output term is pairs kept x bytes per edge: `top` caps it
  p_all <- grntorch:::.plan_resources(correlation_method(), modifyList(d, list(top = NULL)))
  p_top <- grntorch:::.plan_resources(correlation_method(), d)
  expect_equal(p_all$pairs_kept, 2000 * 100)
  expect_equal(p_top$pairs_kept, 1000)
  expect_equal(p_all$parts[["output"]] - p_top$parts[["output"]],
               grntorch:::.plan_constants$edge * (2000 * 100 - 1000))
  # cell_features bounds the supervised models' time per epoch above 1,000 cells
  # (plus a one-off SVD); at or below it the plan is that of every cell
  ds <- list(genes = 2500, regulators = 500, cells = 10000, n_train = 7000, n_validation = 800, top = NULL)
  for (mk in list(genelink, scunigp)) {
    full <- grntorch:::.plan_resources(mk(cell_features = Inf), ds)
    red <- grntorch:::.plan_resources(mk(), ds)
    expect_lt(red$epoch_seconds, full$epoch_seconds / 3)
    expect_lt(red$seconds, full$seconds)
    expect_gt(red$seconds, red$epoch_seconds * red$epochs)  # the SVD is counted
    small <- modifyList(ds, list(cells = 800))
    expect_equal(grntorch:::.plan_resources(mk(), small)$seconds,
                 grntorch:::.plan_resources(mk(cell_features = Inf), small)$seconds)
  }
  # Pearson grows with genes x cells and regulators x genes
  pr <- function(...) grntorch:::.plan_resources(correlation_method(), modifyList(d, list(...)))$peak
  expect_gt(pr(cells = 5000), pr())
  expect_gt(pr(regulators = 1000), pr())
})

test_that("every model has a plan", {
  ex <- small_example()
  emb <- matrix(rnorm(nrow(ex$expression) * 8), nrow(ex$expression), 8, dimnames = list(rownames(ex$expression), NULL))
  tr <- data.frame(from = ex$tfs[1:4], to = rownames(ex$expression)[30:33], label = c(1L, 0L, 1L, 0L))
  ms <- list(correlation_method("spearman"), deepsem(seed = 1), infosem(emb, seed = 1), genelink(),
             gnnlink(), scregnet(emb), sctransnet(emb), scunigp(), random_baseline(), onehot_lr(), matcomp())
  for (m in ms) {
    r <- grn_resources(ex$expression, m, tfs = ex$tfs, train = tr, validation = tr)
    expect_true(is.finite(r$peak) && r$peak > grntorch:::.plan_constants$base, label = m$name)
    expect_true(is.finite(r$seconds) && r$seconds > 0, label = m$name)
    expect_length(capture.output(print(r)), 2L)
  }
})

test_that("predicting does not make the expression dense", {
  # 60,000 genes x 1,000 cells as a sparse matrix: grn_resources() must not
  # densify it (60,000 x 1,000 doubles are 480 MB; a densified copy would show).
  set.seed(1)
  n <- 60000L
  x <- Matrix::rsparsematrix(n, 1000, density = 0.002)
  dimnames(x) <- list(sprintf("g%05d", seq_len(n)), sprintf("c%d", 1:1000))
  called <- FALSE
  suppressMessages(trace(".densify_expression", quote(called <<- TRUE), print = FALSE,
                         where = asNamespace("grntorch")))
  on.exit(suppressMessages(untrace(".densify_expression", where = asNamespace("grntorch"))), add = TRUE)
  gc(reset = TRUE)
  before <- sum(gc()[, 2])
  r <- grn_resources(x, "deepsem", top = 1000)
  expect_false(called)
  expect_lt(sum(gc()[, 6]) - before, 100)  # MB of R heap at the peak above the start (dense: 480)
  expect_identical(r$dims$genes, n)
  expect_gt(r$peak, 1e11)                  # 60,000^2 float matrices
})

test_that("DeepSEM on 60,000 genes x 100 cells is refused in seconds with the figure and the advice", {
  set.seed(1)
  n <- 60000L
  x <- matrix(rnorm(n * 100), n, 100, dimnames = list(sprintf("g%05d", seq_len(n)), NULL))
  old <- options(grntorch.max_memory = NULL, grntorch.check_memory = NULL)
  on.exit(options(old), add = TRUE)
  skip_if(!is.finite(grntorch:::.memory_available()$free), "free memory unknown on this system")
  t <- system.time(e <- tryCatch(infer_grn(x, deepsem(epochs = 1, seed = 1), verbose = FALSE),
                                 error = function(e) e))
  expect_lt(t[["elapsed"]], 10)
  expect_identical(class(e), mem_classes)
  msg <- conditionMessage(e)
  expect_match(msg, "DeepSEM on 60,000 genes")
  expect_match(msg, "needs ~[0-9.]+ (GB|TB)")
  expect_match(msg, "only [0-9.]+ [kMGT]?B is available \\((MemAvailable|the cgroup limit)")
  expect_match(msg, "select_genes(x, tfs)", fixed = TRUE)
  expect_match(msg, "`tfs`", fixed = TRUE)
  # `top = NULL` already keeps at most 2 million edges: no `top` tip
  expect_false(grepl("`top = ", msg, fixed = TRUE))
})

test_that("options(grntorch.max_memory) refuses a small fit, and a normal fit is not refused", {
  ex <- small_example()
  old <- options(grntorch.max_memory = 1e8)   # 100 MB: less than R with LibTorch
  on.exit(options(old), add = TRUE)
  t <- system.time(e <- tryCatch(infer_grn(ex$expression, "pearson", tfs = ex$tfs, verbose = FALSE),
                                 error = function(e) e))
  expect_lt(t[["elapsed"]], 5)
  expect_identical(class(e), mem_classes)
  pk <- grn_resources(ex$expression, "pearson", tfs = ex$tfs)$peak
  expect_match(conditionMessage(e), grntorch:::.fmt_bytes(pk), fixed = TRUE)
  expect_match(conditionMessage(e), "only 100 MB is available (option grntorch.max_memory)", fixed = TRUE)
  expect_match(conditionMessage(e), "select_genes(x, tfs)", fixed = TRUE)
  expect_match(conditionMessage(e), "`top = 10000`", fixed = TRUE)
  expect_s3_class(tryCatch(infer_grn(ex$expression, deepsem(epochs = 1, seed = 1, threads = 1),
                                     tfs = ex$tfs, verbose = FALSE), error = function(e) e),
                  "grntorch_memory_error")
  # turned off, the same call runs
  options(grntorch.check_memory = FALSE)
  expect_s3_class(infer_grn(ex$expression, "pearson", tfs = ex$tfs, verbose = FALSE), "igraph")
  # a normal small fit under the system's memory is not refused
  options(grntorch.max_memory = NULL, grntorch.check_memory = NULL)
  g <- infer_grn(ex$expression, deepsem(epochs = 2, seed = 1, threads = 1), tfs = ex$tfs, verbose = FALSE)
  expect_s3_class(g, "igraph")
  expect_gt(igraph::ecount(g), 0)
  # a bad option value is an argument error
  options(grntorch.max_memory = "lots")
  expect_error(grn_resources(ex$expression, "pearson"), class = "grntorch_argument_error")
})

test_that("the memory available comes from the system on Linux", {
  skip_if_not(file.exists("/proc/meminfo"))
  old <- options(grntorch.max_memory = NULL)
  on.exit(options(old), add = TRUE)
  av <- grntorch:::.memory_available()
  expect_true(is.finite(av$free) && av$free > 0)
  expect_match(av$source, "MemAvailable|cgroup")
  mi <- readLines("/proc/meminfo")
  avail <- as.numeric(gsub("[^0-9]", "", grep("^MemAvailable:", mi, value = TRUE))) * 1024
  expect_lte(av$free, avail * 1.1)
})

test_that("the planner's arithmetic does not overflow on integer sizes (5,000 genes x 50,000 cells)", {
  d <- list(genes = 5000L, regulators = 1000L, cells = 50000L, n_train = 0L, n_validation = 0L, top = NULL)
  p <- grntorch:::.plan_resources(deepsem(seed = 1), d)
  expect_true(is.finite(p$seconds) && is.finite(p$peak))
  # the same sizes as doubles give the same plan
  p2 <- grntorch:::.plan_resources(deepsem(seed = 1), lapply(d, function(v) if (is.null(v)) v else as.numeric(v)))
  expect_equal(p$seconds, p2$seconds)
  expect_equal(p$peak, p2$peak)
  # DeepSEM's time per epoch grows with n^3 through the LU of the A epochs
  small <- grntorch:::.plan_resources(deepsem(seed = 1), modifyList(d, list(genes = 2500L)))
  expect_gt(p$epoch_seconds / small$epoch_seconds, 3)
})

test_that("the graph models' plan counts the node-feature stage at many cells", {
  d <- list(genes = 2500L, regulators = 500L, cells = 10000L, n_train = 7000L, n_validation = 800L, top = NULL)
  for (mk in list(genelink, scunigp)) {
    p <- grntorch:::.plan_resources(mk(), d)
    # at least the engine's float copy, the z-scored double and its float result (16 bytes per gene x cell)
    expect_gte(p$parts[["model"]], 16 * 2500 * 10000)
    expect_gt(grntorch:::.plan_resources(mk(), modifyList(d, list(cells = 20000L)))$parts[["model"]], p$parts[["model"]])
  }
})

test_that("the SEM time plan follows the threads a run gets (1 thread measured at 1.25x 2 threads)", {
  ex <- grntorch_example()
  s <- function(m) grn_resources(ex$expression, m, tfs = ex$tfs)$epoch_seconds
  t1 <- s(deepsem(threads = 1))
  t2 <- s(deepsem(threads = 2))
  expect_equal(t1 / t2, 1.25, tolerance = 1e-6)
  expect_equal(grntorch:::.plan_thread_factor(2, serial = 0.6), 1)
  expect_lt(grntorch:::.plan_thread_factor(4, serial = 0.6), 1)
  # the workers of a forking back-end run one thread each
  m <- deepsem(threads = 2, n_runs = 2, BPPARAM = BiocParallel::MulticoreParam(2))
  expect_identical(grntorch:::.plan_run_threads(m), 1L)
  expect_identical(grntorch:::.plan_run_threads(deepsem(threads = 2, n_runs = 2)), 2L)
  expect_gt(s(infosem(ex$embeddings, threads = 1)), s(infosem(ex$embeddings, threads = 2)))
})

test_that("the plan counts only the training pairs infer_grn() keeps (inside `genes`)", {
  ex <- grntorch_example()
  genes <- rownames(ex$expression)[1:200]
  tr <- ex$split$train
  r_all <- grn_resources(ex$expression, genelink(), tfs = ex$tfs, train = tr)
  r_sub <- grn_resources(ex$expression, genelink(), tfs = ex$tfs, genes = genes, train = tr)
  inside <- sum(toupper(tr$from) %in% toupper(genes) & toupper(tr$to) %in% toupper(genes))
  expect_lt(inside, nrow(tr))
  expect_identical(r_sub$dims$n_train, inside)
  expect_identical(r_all$dims$n_train, nrow(tr))
  expect_lt(r_sub$seconds, r_all$seconds)
})

test_that("the plan's base is the R process as it is now (a session holding more memory predicts more)", {
  skip_if_not(file.exists("/proc/self/status"), "needs Linux /proc")
  ex <- grntorch_example()
  b0 <- grn_resources(ex$expression, "pearson", tfs = ex$tfs)$parts[["base"]]
  expect_gte(b0, grntorch:::.plan_constants$base)
  held <- numeric(5e7)  # 400 MB the session holds
  held[] <- 1
  b1 <- grn_resources(ex$expression, "pearson", tfs = ex$tfs)$parts[["base"]]
  expect_gt(b1 - b0, 3.5e8)
  rm(held)
})
