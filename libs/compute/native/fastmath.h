// Branch-free float approximations of exp, erf and tanh that GCC vectorises inside plain loops (libm's
// scalar calls do not). Each is within a few ulp of the correctly rounded result over the float range
// that matters for training; native/selftest.cc measures that against libm.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace hs {

static inline float bitsToFloat(int32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Cephes-style: exp(x) = 2^n * exp(r), |r| <= ln2/2, degree-6 polynomial for exp(r).
static inline float fastExp(float x) {
  const float hi = 88.3762626647949f;
  const float lo = -87.3365447504f;  // below this the result would be denormal; flush to 0
  const bool isNan = x != x;
  const bool under = x < lo;
  const bool over = x > hi;
  float xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;
  const float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to the nearest integer
  float n = (xc * 1.44269504088896341f + shifter) - shifter;
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t e = (static_cast<int32_t>(n) + 127) << 23;
  float y = p * bitsToFloat(e);
  y = under ? 0.0f : y;
  y = over ? HUGE_VALF : y;
  return isNan ? x : y;
}

// Rational minimax approximation (the one Eigen and XLA use); erf is +-1 in float beyond |x| = 4.
static inline float fastErf(float a) {
  const bool isNan = a != a;
  float x = a > 4.0f ? 4.0f : a;
  x = x < -4.0f ? -4.0f : x;
  const float x2 = x * x;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  p = p * x;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  const float y = p / q;
  return isNan ? a : y;
}

// Cephes tanhf: an odd polynomial near 0 (where 1 - 2/(e^2x + 1) would cancel), the exp form beyond.
static inline float fastTanh(float x) {
  const float ax = x < 0.0f ? -x : x;
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z + -5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z + -3.33332819422e-1f;
  const float small = p * z * x + x;
  const float s = fastExp(2.0f * (ax > 44.0f ? 44.0f : ax));
  float big = 1.0f - 2.0f / (s + 1.0f);
  big = x < 0.0f ? -big : big;
  const float y = ax < 0.625f ? small : big;
  return x != x ? x : y;
}

static inline float fastSigmoid(float x) { return 1.0f / (1.0f + fastExp(-x)); }

}  // namespace hs
