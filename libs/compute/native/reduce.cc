// Reductions over one contiguous block of axes, and the row softmax.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "fastmath.h"
#include "kernels.h"
#include "pool.h"

namespace hs {

namespace {

constexpr int64_t kGrain = 1 << 15;

float reduceRow(int op, const float* __restrict x, int64_t n) {
  switch (op) {
    case kSum:
    case kMean: {
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < n; ++i) s += x[i];
      return op == kMean ? s / static_cast<float>(n) : s;
    }
    case kProd: {
      float p = 1.0f;
      for (int64_t i = 0; i < n; ++i) p *= x[i];
      return p;
    }
    case kMax: {
      float m = -std::numeric_limits<float>::infinity();
      bool nan = false;
      for (int64_t i = 0; i < n; ++i) {
        nan |= x[i] != x[i];
        m = x[i] > m ? x[i] : m;
      }
      return nan ? NAN : m;
    }
    case kMin: {
      float m = std::numeric_limits<float>::infinity();
      bool nan = false;
      for (int64_t i = 0; i < n; ++i) {
        nan |= x[i] != x[i];
        m = x[i] < m ? x[i] : m;
      }
      return nan ? NAN : m;
    }
    default: return 0.0f;
  }
}

// out[i] (op)= x[i] over a row of `inner` values.
void accumulate(int op, const float* __restrict x, float* __restrict out, int64_t inner) {
  switch (op) {
    case kSum:
    case kMean:
      for (int64_t i = 0; i < inner; ++i) out[i] += x[i];
      return;
    case kProd:
      for (int64_t i = 0; i < inner; ++i) out[i] *= x[i];
      return;
    case kMax:
      for (int64_t i = 0; i < inner; ++i) out[i] = (x[i] > out[i] || x[i] != x[i]) ? x[i] : out[i];
      return;
    case kMin:
      for (int64_t i = 0; i < inner; ++i) out[i] = (x[i] < out[i] || x[i] != x[i]) ? x[i] : out[i];
      return;
    default: return;
  }
}

// Reduce x[mid, inner] (row stride `inner`) over mid for columns [c0, c1) into out[c0..c1).
void reduceColumns(int op, const float* x, float* out, int64_t mid, int64_t inner, int64_t c0, int64_t c1) {
  const int64_t w = c1 - c0;
  std::copy(x + c0, x + c1, out + c0);
  for (int64_t m = 1; m < mid; ++m) accumulate(op, x + m * inner + c0, out + c0, w);
  if (op == kMean) {
    const float inv = 1.0f / static_cast<float>(mid);
    for (int64_t i = c0; i < c1; ++i) out[i] *= inv;
  }
}

// Reduces x[mid, inner] over mid (a bias gradient: Σ over 2048 rows of dy). Walking a 16-column strip
// down all rows touched a new page per row (1.7 ms for [2048, 1024]); instead each block of kRowBlock
// rows is reduced row by row over the full width into its own partial, streaming through memory, and
// the partials are combined in block order: the result does not depend on the thread count.
constexpr int64_t kRowBlock = 256;

void reduceRowsBlocked(int op, const float* x, float* out, int64_t mid, int64_t inner) {
  const int64_t blocks = (mid + kRowBlock - 1) / kRowBlock;
  if (blocks == 1) {
    reduceColumns(op, x, out, mid, inner, 0, inner);
    return;
  }
  std::vector<float> partial(static_cast<size_t>(blocks * inner));
  const int64_t grain = std::max<int64_t>(1, kGrain / (kRowBlock * inner));
  pool().parallelFor(blocks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const int64_t rows = std::min(kRowBlock, mid - b * kRowBlock);
      float* p = partial.data() + b * inner;
      const float* xb = x + b * kRowBlock * inner;
      std::copy(xb, xb + inner, p);
      for (int64_t r = 1; r < rows; ++r) accumulate(op == kMean ? kSum : op, xb + r * inner, p, inner);
    }
  });
  std::copy(partial.begin(), partial.begin() + inner, out);
  for (int64_t b = 1; b < blocks; ++b) accumulate(op == kMean ? kSum : op, partial.data() + b * inner, out, inner);
  if (op == kMean) {
    const float inv = 1.0f / static_cast<float>(mid);
    for (int64_t i = 0; i < inner; ++i) out[i] *= inv;
  }
}

}  // namespace

void reduce(int op, const float* x, float* out, int64_t outer, int64_t mid, int64_t inner) {
  if (mid == 0) {
    const float init = op == kProd ? 1.0f
                       : op == kMax ? -std::numeric_limits<float>::infinity()
                       : op == kMin ? std::numeric_limits<float>::infinity()
                       : op == kMean ? NAN
                                     : 0.0f;
    std::fill(out, out + outer * inner, init);
    return;
  }
  if (inner == 1) {
    const int64_t grain = std::max<int64_t>(1, kGrain / mid);
    pool().parallelFor(outer, grain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) out[o] = reduceRow(op, x + o * mid, mid);
    });
    return;
  }
  if (outer >= pool().size()) {
    const int64_t grain = std::max<int64_t>(1, kGrain / (mid * inner));
    pool().parallelFor(outer, grain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) reduceColumns(op, x + o * mid * inner, out + o * inner, mid, inner, 0, inner);
    });
    return;
  }
  for (int64_t o = 0; o < outer; ++o) reduceRowsBlocked(op, x + o * mid * inner, out + o * inner, mid, inner);
}

void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool log) {
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(cols, 1));
  pool().parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* __restrict xr = x + r * cols;
      float* __restrict orow = out + r * cols;
      const float m = reduceRow(kMax, xr, cols);
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t i = 0; i < cols; ++i) {
        const float e = fastExp(xr[i] - m);
        orow[i] = e;
        s += e;
      }
      if (log) {
        const float shift = m + std::log(s);
        for (int64_t i = 0; i < cols; ++i) orow[i] = xr[i] - shift;
      } else {
        const float inv = 1.0f / s;
        for (int64_t i = 0; i < cols; ++i) orow[i] *= inv;
      }
    }
  });
}

}  // namespace hs
