// Batched matmul over OpenBLAS sgemm. Transposes are passed to sgemm as flags (never materialised).
//
// Threading: OpenBLAS runs single-threaded and our own pool splits the work (batch items, or rows or
// columns of one big product). One set of threads for matmuls and elementwise kernels means no two
// pools spin against each other on a machine with few cores; see docs in libs/compute/README.md.
#include <cblas.h>

#include <algorithm>

#include "kernels.h"
#include "pool.h"

extern "C" void openblas_set_num_threads(int);

namespace hs {

namespace {

void gemm(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool transA, bool transB,
          int64_t lda, int64_t ldb, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b,
              static_cast<int>(ldb), 0.0f, c, static_cast<int>(ldc));
}

// C[r, :] += bias for rows [r0, r1) of a row-major C with `ldc` columns of which the first n are used;
// called on each part right after its sgemm, while that part of C is still in cache.
void addBias(float* c, const float* bias, int64_t r0, int64_t r1, int64_t c0, int64_t c1, int64_t ldc) {
  if (!bias) return;
  for (int64_t r = r0; r < r1; ++r) {
    float* __restrict row = c + r * ldc;
    for (int64_t j = c0; j < c1; ++j) row[j] += bias[j];
  }
}

// Below this many multiply-adds per part, splitting costs more than it saves.
constexpr int64_t kMinWorkPerThread = 1 << 18;

// One part of a split product per thread: each part repacks the operand it does not split.
constexpr int64_t kPartsPerThread = 1;

int gBlasThreads = 1;

}  // namespace

void setBlasThreads(int n) {
  gBlasThreads = n < 1 ? 1 : n;
  openblas_set_num_threads(gBlasThreads);
}

int blasThreads() { return gBlasThreads; }

void batchMatMul(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n, int64_t k,
                 bool transA, bool transB, int64_t strideA, int64_t strideB, const float* bias) {
  const int64_t lda = transA ? m : k;
  const int64_t ldb = transB ? k : n;
  const int64_t strideC = m * n;
  if (k == 0) {
    std::fill(c, c + batch * strideC, 0.0f);
    for (int64_t i = 0; i < batch; ++i) addBias(c + i * strideC, bias, 0, m, 0, n, n);
    return;
  }
  if (gBlasThreads > 1) {
    // OpenBLAS splits each product itself.
    for (int64_t i = 0; i < batch; ++i) {
      gemm(a + i * strideA, b + i * strideB, c + i * strideC, m, n, k, transA, transB, lda, ldb, n);
      addBias(c + i * strideC, bias, 0, m, 0, n, n);
    }
    return;
  }
  const int64_t work = m * n * k;
  const int threadsNow = pool().size();
  if (batch >= threadsNow && batch > 1) {
    const int64_t grain = std::max<int64_t>(1, kMinWorkPerThread / std::max<int64_t>(work, 1));
    pool().parallelFor(batch, grain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        gemm(a + i * strideA, b + i * strideB, c + i * strideC, m, n, k, transA, transB, lda, ldb, n);
        addBias(c + i * strideC, bias, 0, m, 0, n, n);
      }
    });
    return;
  }
  for (int64_t i = 0; i < batch; ++i) {
    const float* ai = a + i * strideA;
    const float* bi = b + i * strideB;
    float* ci = c + i * strideC;
    if (m >= n) {
      // Split rows of C: rows of op(A).
      const int64_t grain = std::max<int64_t>(16, kMinWorkPerThread / std::max<int64_t>(n * k, 1));
      pool().parallelFor(m, grain, [&](int64_t begin, int64_t end) {
        const float* as = transA ? ai + begin : ai + begin * k;
        gemm(as, bi, ci + begin * n, end - begin, n, k, transA, transB, lda, ldb, n);
        addBias(ci, bias, begin, end, 0, n, n);
      }, kPartsPerThread);
    } else {
      // Split columns of C: columns of op(B).
      const int64_t grain = std::max<int64_t>(16, kMinWorkPerThread / std::max<int64_t>(m * k, 1));
      pool().parallelFor(n, grain, [&](int64_t begin, int64_t end) {
        const float* bs = transB ? bi + begin * k : bi + begin;
        gemm(ai, bs, ci + begin, m, end - begin, k, transA, transB, lda, ldb, n);
        addBias(ci, bias, 0, m, begin, end, n);
      }, kPartsPerThread);
    }
  }
}

}  // namespace hs
