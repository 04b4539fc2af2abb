using System.Numerics.Tensors;
using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

public sealed class OptimizerKernelsTests
{
    public static readonly TheoryData<int> Lengths = new(Enumerable.Range(0, 52));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Fused_sgd_momentum_rounds_exactly_as_the_two_separate_passes(int length)
    {
        var random = new Random(length);
        float[] Random() => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] parameter = Random(), gradient = Random(), buffer = Random();
        if (length > 3) { gradient[1] = float.NaN; buffer[2] = float.PositiveInfinity; }
        float[] expectedParameter = (float[])parameter.Clone(), expectedBuffer = (float[])buffer.Clone();
        // the reference: b ← μ·b + g; p ← (−lr)·b + p, one pass each
        TensorPrimitives.MultiplyAdd(expectedBuffer, 0.9f, gradient, expectedBuffer);
        TensorPrimitives.MultiplyAdd(expectedBuffer, -0.05f, expectedParameter, expectedParameter);

        OptimizerKernels.SgdMomentum<float>(parameter, gradient, buffer, 0.9f, -0.05f);

        Assert.Equal(expectedBuffer.Select(BitConverter.SingleToInt32Bits), buffer.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expectedParameter.Select(BitConverter.SingleToInt32Bits), parameter.Select(BitConverter.SingleToInt32Bits));
    }
}
