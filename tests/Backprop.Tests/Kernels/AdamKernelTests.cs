using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>The vectorised Adam/AdamW step gives bit-for-bit what the plain formula gives, at every length.</summary>
public sealed class AdamKernelTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Vector_and_scalar_steps_agree_bit_for_bit(bool coupled)
    {
        for (int length = 0; length <= 37; length++)
        {
            var random = new Random(length);
            float[] Values() => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float[] parameter = Values(), gradient = Values(), m = Values(), v = Values().Select(Math.Abs).ToArray();
            var step = new AdamStep<float>(0.9f, 0.999f, 0.1f, 0.001f, 0.0123f, 0.04f, 1e-8f, coupled, 0.01f, coupled ? 1f : 0.99998f);
            float[] p2 = (float[])parameter.Clone(), m2 = (float[])m.Clone(), v2 = (float[])v.Clone();

            OptimizerKernels.Adam<float>(parameter, gradient, m, v, step);
            for (int i = 0; i < length; i++) // the formula, element by element
            {
                float p = p2[i] * step.DecoupledDecay;
                float g = coupled ? gradient[i] + step.L2 * p : gradient[i];
                m2[i] = m2[i] * step.Beta1 + step.OneMinusBeta1 * g;
                v2[i] = v2[i] * step.Beta2 + step.OneMinusBeta2 * g * g;
                p2[i] = p + -step.StepSize * (m2[i] / (MathF.Sqrt(v2[i]) / step.BiasCorrection2Sqrt + step.Epsilon));
            }
            Assert.Equal(p2, parameter);
            Assert.Equal(m2, m);
            Assert.Equal(v2, v);
        }
    }
}
