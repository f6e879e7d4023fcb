# Predicted (grn_resources()) against measured peak RSS of infer_grn() fits.
# Each fit runs in a fresh Rscript (bench/resources-child.R), which reads its
# own VmHWM from /proc/self/status at the end; every row must be within 25%.
#   R_LIBS=<lib> OMP_WAIT_POLICY=passive Rscript bench/resources.R [model ...]
# Short runs (few epochs): the peak is reached in the first epochs.
args <- commandArgs(trailingOnly = TRUE)
here <- tryCatch(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))),
                 error = function(e) "bench")
child <- file.path(here, "resources-child.R")

emb_dim <- 64L
cases <- list(
  list("pearson", 5000, 1000, 500, NULL),
  list("pearson", 10000, 1000, 500, NULL),
  list("pearson", 20000, 1000, 500, NULL),
  list("deepsem", 1000, 200, 100, "deepsem(epochs = 3, seed = 1)"),
  list("deepsem", 2500, 200, 100, "deepsem(epochs = 3, seed = 1)"),
  list("deepsem", 4000, 200, 100, "deepsem(epochs = 3, seed = 1)"),
  list("infosem", 1000, 200, 100, "infosem(emb(), epochs = 3, seed = 1)"),
  list("infosem", 2000, 200, 100, "infosem(emb(), epochs = 3, seed = 1)"),
  list("infosem", 3000, 200, 100, "infosem(emb(), epochs = 3, seed = 1)"),
  list("genelink", 2000, 2000, 200, "genelink(epochs = 1, batch_size = 1024)"),
  list("genelink", 4000, 2000, 200, "genelink(epochs = 1, batch_size = 1024)"),
  list("genelink", 8000, 2000, 200, "genelink(epochs = 1, batch_size = 1024)"),
  list("scunigp", 2000, 2000, 200, "scunigp(epochs = 1, pretrain_epochs = 1, batch_size = 1024)"),
  list("scunigp", 4000, 2000, 200, "scunigp(epochs = 1, pretrain_epochs = 1, batch_size = 1024)"),
  list("scunigp", 8000, 2000, 200, "scunigp(epochs = 1, pretrain_epochs = 1, batch_size = 1024)")
)
if (length(args)) cases <- Filter(function(k) k[[1]] %in% args, cases)

rows <- lapply(cases, function(k) {
  # InfoSEM-B with random gene embeddings (emb_dim dimensions), made in the child.
  ex <- if (is.null(k[[5]])) character() else
    sprintf("{emb <- function() matrix(stats::rnorm(G * %d), G, %d, dimnames = list(genes, NULL)); %s}",
            emb_dim, emb_dim, k[[5]])
  out <- system2("Rscript", c(shQuote(child), k[[1]], k[[2]], k[[3]], k[[4]], if (length(ex)) shQuote(ex)),
                 stdout = TRUE, stderr = FALSE, env = "OMP_WAIT_POLICY=passive")
  res <- grep("^RESULT ", out, value = TRUE)
  if (!length(res)) stop(sprintf("child failed for %s %s: %s", k[[1]], k[[2]], paste(tail(out, 5), collapse = " | ")))
  f <- strsplit(res, " ")[[1]]
  data.frame(model = k[[1]], genes = as.integer(f[3]), regulators = as.integer(f[5]), cells = as.integer(f[4]),
             predicted_MB = round(as.numeric(f[8]) / 1e6), measured_MB = round(as.numeric(f[6]) / 1e6),
             ratio = round(as.numeric(f[8]) / as.numeric(f[6]), 3), seconds = as.numeric(f[7]))
})
tab <- do.call(rbind, rows)
print(tab, row.names = FALSE)
bad <- abs(tab$ratio - 1) > 0.25
cat(sprintf("\n%d of %d rows within 25%%%s\n", sum(!bad), nrow(tab),
            if (any(bad)) paste0("; outside: ", paste(tab$model[bad], tab$genes[bad], collapse = ", ")) else ""))
