// Foundation-model gene embeddings from a user's TorchScript module (the
// inputs of scRegNet and scTransNet).  Plain types only; torch lives in
// src/fm_torchscript.cpp.
#pragma once

#include "grntorch/common.hpp"

#include <cstdint>
#include <string>

namespace grntorch {

struct TorchScriptPooled {
  Matrix mean;            // genes x d, mean over cells
  Matrix attentive;       // genes x d, attention-weighted (empty when the module returns no attention)
  int dim = 0;
  bool has_attention = false;
};

// Runs a TorchScript module (saved with torch.jit.save / Module::save) on the
// expression (genes x cells) in batches of cells.  forward(x) receives
// x = cells x genes (float) and returns either a cells x genes x d tensor of
// per-cell gene embeddings, or a tuple (embeddings, attention) with attention
// cells x genes (the attention each gene receives in each cell).  Pools over
// cells: mean, and, with attention, sum_n a[n, g] h[n, g] / sum_n a[n, g].
// Throws InvalidArgument for a module that cannot be loaded or returns the
// wrong shapes, EngineError when it fails while running.
TorchScriptPooled torchscript_embeddings(const std::string& path, const Matrix& expr, int batch_cells = 64,
                                         Monitor* monitor = nullptr);

// Writes a small TorchScript fixture (for tests and examples): forward(x)
// returns x[..., None] * w + b with w, b of length dim (seeded), and, when
// with_attention, the tuple (that, softmax(x, dim = 1)).
void write_torchscript_fixture(const std::string& path, int dim, bool with_attention, uint64_t seed = 1);

}  // namespace grntorch
