// The one place where engine plain types (Matrix, std::vector) and torch
// tensors are copied into each other.  Internal: include only from engine .cpp
// files.  Every function returns an owned copy (no view of the caller's memory
// outlives the call).
#pragma once

#include "grntorch/common.hpp"

#include <torch/torch.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace grntorch {
namespace tio {

// A column-major rows x cols Matrix read as a row-major [cols, rows] float
// tensor (a genes x cells Matrix becomes a [cells, genes] tensor), copied.
inline torch::Tensor colmajor_tensor(const Matrix& m) {
  return torch::from_blob(const_cast<float*>(m.data.data()), {m.cols, m.rows}, torch::kFloat32).clone();
}

// The same Matrix as a [rows, cols] tensor (a genes x cells Matrix becomes [genes, cells]).
inline torch::Tensor rows_tensor(const Matrix& m) { return colmajor_tensor(m).t().contiguous(); }

// A 2-D tensor [rows, cols] (any float dtype, any device) -> column-major rows x cols Matrix.
inline Matrix to_matrix(const torch::Tensor& t) {
  auto a = t.detach().to(torch::kCPU).to(torch::kFloat32).t().contiguous();
  Matrix m(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)));
  std::memcpy(m.data.data(), a.data_ptr<float>(), sizeof(float) * m.data.size());
  return m;
}

// A tensor of rows * cols values already in column-major order -> Matrix.
inline Matrix colmajor_to_matrix(const torch::Tensor& flat, int rows, int cols) {
  auto a = flat.detach().to(torch::kCPU).to(torch::kFloat32).contiguous();
  Matrix m(rows, cols);
  if (static_cast<std::size_t>(a.numel()) != m.data.size()) throw InvalidArgument("colmajor_to_matrix: size mismatch");
  std::memcpy(m.data.data(), a.data_ptr<float>(), sizeof(float) * m.data.size());
  return m;
}

// Any tensor -> its values as floats (row-major order), copied to the CPU.
inline std::vector<float> to_vector(const torch::Tensor& t) {
  auto a = t.detach().to(torch::kCPU).to(torch::kFloat32).contiguous();
  return std::vector<float>(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
}

// 0-based indices -> a long tensor.
inline torch::Tensor to_long(const std::vector<int>& v) {
  return torch::tensor(std::vector<int64_t>(v.begin(), v.end()), torch::kLong);
}

inline torch::Tensor to_long(const std::vector<int64_t>& v) { return torch::tensor(v, torch::kLong); }

inline torch::Tensor to_float(const std::vector<float>& v) { return torch::tensor(v, torch::kFloat32); }

inline torch::Tensor to_double(const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); }

// A long tensor's values (any shape, row-major order), copied to the CPU.
inline std::vector<int64_t> to_int64_vector(const torch::Tensor& t) {
  auto a = t.detach().to(torch::kCPU).to(torch::kLong).contiguous();
  return std::vector<int64_t>(a.data_ptr<int64_t>(), a.data_ptr<int64_t>() + a.numel());
}

// prod(shape) floats starting at p -> a float tensor of that shape (copied).
inline torch::Tensor copy_floats(const float* p, torch::IntArrayRef shape) {
  return torch::from_blob(const_cast<float*>(p), shape, torch::kFloat32).clone();
}

}  // namespace tio
}  // namespace grntorch
