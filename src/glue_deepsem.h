// Glue shared by the DeepSEM family's entry points (glue_deepsem.cpp, glue_dazzle.cpp,
// glue_infosem.cpp): DeepSEM's options, read once.  Rcpp only: never include torch.
#pragma once

#include "glue.h"
#include "grntorch/deepsem.hpp"

namespace grnglue {

// DeepSEM's options, shared by the DeepSEM and InfoSEM entry points (names as
// in deepsem(): mode, alpha, beta, epochs, batch_size, lr, lr_adj, hidden,
// lr_decay, cells_per_epoch, net_epochs, adj_epochs, seed, device, precision).
grntorch::DeepSEMOptions deepsem_options(const Options& o);

}  // namespace grnglue
