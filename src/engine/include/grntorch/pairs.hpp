// Labelled regulator -> target gene pairs: the one pair type of the engine
// (supervised models, scUniGP, InfoSEM-BC's known edges).  Plain C++17.
#pragma once

#include <cstddef>
#include <vector>

namespace grntorch {

// 0-based gene rows of the expression matrix; label 1 = edge, 0 = non-edge.
struct LabeledPairs {
  std::vector<int> from;     // regulator
  std::vector<int> to;       // target
  std::vector<float> label;  // 0 or 1
  std::size_t size() const { return from.size(); }
  bool empty() const { return from.empty(); }
};

// Throws InvalidArgument naming `what` when from / to / label differ in
// length, a gene index is outside [0, n_genes), a label is not 0 or 1, or
// (need_both_classes) the pairs lack positives or negatives.  Empty pairs
// pass when !need_both_classes.
void check_pairs(const LabeledPairs& pairs, int n_genes, const char* what, bool need_both_classes);

}  // namespace grntorch
