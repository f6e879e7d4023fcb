library(testthat)
library(grntorch)

test_check("grntorch")
