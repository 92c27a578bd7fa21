// Elementwise kernels: unary maps and broadcasting binary ops. The inner loops are written so that GCC
// vectorises them (no calls, no branches); the outer index walk handles any broadcast pattern.
#include <algorithm>
#include <cmath>

#include "fastmath.h"
#include "kernels.h"
#include "pool.h"

namespace hs {

namespace {

// Elementwise work below this many items per thread is not worth a hand-off to the pool.
constexpr int64_t kGrain = 1 << 15;

struct Add { static float f(float a, float b) { return a + b; } };
struct Sub { static float f(float a, float b) { return a - b; } };
struct Mul { static float f(float a, float b) { return a * b; } };
struct Div { static float f(float a, float b) { return a / b; } };
struct Maximum { static float f(float a, float b) { return (a != a || b != b) ? NAN : (a > b ? a : b); } };
struct Minimum { static float f(float a, float b) { return (a != a || b != b) ? NAN : (a < b ? a : b); } };
struct SqDiff { static float f(float a, float b) { return (a - b) * (a - b); } };
struct Pow { static float f(float a, float b) { return std::pow(a, b); } };

// Operands may alias the output (in-place epilogues), hence no __restrict.
template <class Op>
void innerLoop(const float* a, const float* b, float* o, int64_t n,
               int64_t sa, int64_t sb) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) o[i] = Op::f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
    for (int64_t i = 0; i < n; ++i) o[i] = Op::f(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
    for (int64_t i = 0; i < n; ++i) o[i] = Op::f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = Op::f(a[i * sa], b[i * sb]);
  }
}

template <class Op>
void binaryImpl(const float* a, const float* b, float* out, int rank, const int64_t* shape, const int64_t* sa,
                const int64_t* sb) {
  const int64_t inner = shape[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; ++d) rows *= shape[d];
  if (rows == 1) {
    // Same-shape operands collapse to one axis: split that axis itself (split by rows, the residual adds
    // and gradient sums of a training step ran on one thread).
    const int64_t sa0 = sa[rank - 1], sb0 = sb[rank - 1];
    pool().parallelFor(inner, kGrain, [&](int64_t begin, int64_t end) {
      innerLoop<Op>(a + begin * sa0, b + begin * sb0, out + begin, end - begin, sa0, sb0);
    });
    return;
  }
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1));
  pool().parallelFor(rows, grain, [&](int64_t begin, int64_t end) {
    // Multi-index of row `begin` over the outer dims, then walk it like an odometer.
    int64_t idx[kMaxRank] = {0};
    int64_t rem = begin;
    int64_t offA = 0, offB = 0;
    for (int d = rank - 2; d >= 0; --d) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
      offA += idx[d] * sa[d];
      offB += idx[d] * sb[d];
    }
    for (int64_t r = begin; r < end; ++r) {
      innerLoop<Op>(a + offA, b + offB, out + r * inner, inner, sa[rank - 1], sb[rank - 1]);
      for (int d = rank - 2; d >= 0; --d) {
        ++idx[d];
        offA += sa[d];
        offB += sb[d];
        if (idx[d] < shape[d]) break;
        offA -= idx[d] * sa[d];
        offB -= idx[d] * sb[d];
        idx[d] = 0;
      }
    }
  });
}

template <class F>
void mapUnary(const float* x, float* out, int64_t n, F f) {
  pool().parallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
    // No __restrict: kernels may run in place (out == x); GCC versions the loop on an overlap check.
    for (int64_t i = begin; i < end; ++i) out[i] = f(x[i]);
  });
}

constexpr float kSqrtHalf = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

}  // namespace

void binary(int op, const float* a, const float* b, float* out, int rank, const int64_t* shape,
            const int64_t* sa, const int64_t* sb) {
  switch (op) {
    case kAdd: return binaryImpl<Add>(a, b, out, rank, shape, sa, sb);
    case kSub: return binaryImpl<Sub>(a, b, out, rank, shape, sa, sb);
    case kMul: return binaryImpl<Mul>(a, b, out, rank, shape, sa, sb);
    case kDiv:
    case kRealDiv: return binaryImpl<Div>(a, b, out, rank, shape, sa, sb);
    case kMaximum: return binaryImpl<Maximum>(a, b, out, rank, shape, sa, sb);
    case kMinimum: return binaryImpl<Minimum>(a, b, out, rank, shape, sa, sb);
    case kSquaredDifference: return binaryImpl<SqDiff>(a, b, out, rank, shape, sa, sb);
    case kPow: return binaryImpl<Pow>(a, b, out, rank, shape, sa, sb);
    default: return;
  }
}

void unary(int op, const float* x, float* out, int64_t n, float alpha) {
  switch (op) {
    case kExp: return mapUnary(x, out, n, [](float v) { return fastExp(v); });
    case kLog: return mapUnary(x, out, n, [](float v) { return std::log(v); });
    case kNeg: return mapUnary(x, out, n, [](float v) { return -v; });
    case kSqrt: return mapUnary(x, out, n, [](float v) { return std::sqrt(v); });
    case kRsqrt: return mapUnary(x, out, n, [](float v) { return 1.0f / std::sqrt(v); });
    case kSquare: return mapUnary(x, out, n, [](float v) { return v * v; });
    case kRelu: return mapUnary(x, out, n, [](float v) { return v < 0.0f ? 0.0f : v; });
    case kRelu6: return mapUnary(x, out, n, [](float v) { return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v); });
    case kErf: return mapUnary(x, out, n, [](float v) { return fastErf(v); });
    case kTanh: return mapUnary(x, out, n, [](float v) { return fastTanh(v); });
    case kSigmoid: return mapUnary(x, out, n, [](float v) { return fastSigmoid(v); });
    case kAbs: return mapUnary(x, out, n, [](float v) { return std::fabs(v); });
    case kReciprocal: return mapUnary(x, out, n, [](float v) { return 1.0f / v; });
    // tfjs Step: 1 for x > 0, alpha otherwise, NaN stays NaN.
    case kStep: return mapUnary(x, out, n, [alpha](float v) { return v != v ? v : (v > 0.0f ? 1.0f : alpha); });
    case kElu: return mapUnary(x, out, n, [](float v) { return v >= 0.0f ? v : fastExp(v) - 1.0f; });
    case kLeakyRelu: return mapUnary(x, out, n, [alpha](float v) { return v < 0.0f ? alpha * v : v; });
    // gelu(x) = x * Phi(x); its derivative Phi(x) + x * phi(x).
    case kGeluErf:
      return mapUnary(x, out, n, [](float v) { return 0.5f * v * (1.0f + fastErf(v * kSqrtHalf)); });
    case kGeluErfGrad:
      return mapUnary(x, out, n, [](float v) {
        return 0.5f * (1.0f + fastErf(v * kSqrtHalf)) + v * kInvSqrt2Pi * fastExp(-0.5f * v * v);
      });
    default: return;
  }
}

}  // namespace hs
