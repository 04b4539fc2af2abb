using Backprop.Kernels;

namespace Backprop.Tests.Kernels;

/// <summary>The vectorised dense kernels agree with their plain references on every length up to a few vector widths.</summary>
public sealed class DenseKernelsTests
{
    // Every length from 0 past three 512-bit vectors of float, so each vector width and every tail is hit.
    public static readonly TheoryData<int> Lengths = new(Enumerable.Range(0, 52));

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-30f, -1e-30f];
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = random.Next(4) == 0 ? specials[random.Next(specials.Length)] : (float)(random.NextDouble() * 4 - 2);
        return values;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Relu_matches_the_reference_bit_for_bit_with_nan_infinities_and_signed_zeros(int length)
    {
        var z = Values(length, length);
        float[] expected = new float[length], actual = new float[length];
        DenseKernelsReference.Relu<float>(z, expected);
        DenseKernels.Relu<float>(z, actual);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));

        var zd = Array.ConvertAll(z, x => (double)x);
        double[] expectedDouble = new double[length], actualDouble = new double[length];
        DenseKernelsReference.Relu<double>(zd, expectedDouble);
        DenseKernels.Relu<double>(zd, actualDouble);
        Assert.Equal(expectedDouble.Select(BitConverter.DoubleToInt64Bits), actualDouble.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Relu_backward_zeroes_the_gradient_exactly_where_the_reference_does(int length)
    {
        var z = Values(length, length);
        var gradient = Values(length, length + 1000);
        var expected = (float[])gradient.Clone();
        DenseKernelsReference.ReluBackward<float>(z, expected);
        DenseKernels.ReluBackward<float>(z, gradient);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), gradient.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(128, 10)]
    [InlineData(5, 16)]
    [InlineData(9, 49)]
    [InlineData(33, 256)]
    public void Sum_rows_adds_in_row_order_like_the_reference(int batch, int width)
    {
        var gradient = Values(batch * width, batch * 31 + width);
        float[] expected = new float[width], actual = new float[width];
        DenseKernelsReference.SumRows<float>(gradient, expected, batch);
        DenseKernels.SumRows<float>(gradient, actual, batch);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 10)]
    [InlineData(128, 10)]
    [InlineData(5, 31)]
    [InlineData(3, 33)]
    [InlineData(4, 100)]
    public void Softmax_cross_entropy_matches_the_float64_reference(int batch, int classes)
    {
        var random = new Random(batch * 100 + classes);
        var logits = new float[batch * classes];
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)(random.NextDouble() * 20 - 10);
        logits[0] = 1000; // large logits must not overflow
        var labels = Enumerable.Range(0, batch).Select(_ => random.Next(classes)).ToArray();
        float[] expected = new float[logits.Length], actual = new float[logits.Length];
        double expectedLoss = DenseKernelsReference.SoftmaxCrossEntropy<float>(logits, labels, expected, batch, classes);
        float loss = DenseKernels.SoftmaxCrossEntropy<float>(logits, labels, actual, batch, classes);
        Assert.Equal(expectedLoss, loss, Math.Max(1e-4, 1e-6 * expectedLoss));
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-6f);
    }

    [Fact]
    public void Softmax_cross_entropy_of_a_nan_logit_is_nan()
    {
        float[] logits = [1, float.NaN, 2, 0, 1, 2], dLogits = new float[6];
        Assert.True(float.IsNaN(DenseKernels.SoftmaxCrossEntropy<float>(logits, [0, 1], dLogits, 2, 3)));
    }

    [Theory]
    [InlineData(3)]  // the scalar tail
    [InlineData(35)] // vectors and a tail
    public void Relu_backward_passes_the_gradient_at_nan_and_blocks_it_at_zero_and_below_as_torch_does(int length)
    {
        // torch.relu(tensor([nan, 0., -0., -2., 3.])).backward(ones) gives [1, 0, 0, 0, 1].
        float[] pattern = [float.NaN, 0f, -0f, -2f, 3f], expectedPattern = [1, 0, 0, 0, 1];
        var z = Enumerable.Range(0, length).Select(i => pattern[i % 5]).ToArray();
        var expected = Enumerable.Range(0, length).Select(i => expectedPattern[i % 5]).ToArray();
        var gradient = Enumerable.Repeat(1f, length).ToArray();
        var reference = Enumerable.Repeat(1f, length).ToArray();

        DenseKernels.ReluBackward<float>(z, gradient);
        DenseKernelsReference.ReluBackward<float>(z, reference);
        var x = Tensor.FromArray(z.Select(v => (double)v).ToArray(), length).RequireGrad();
        x.Relu().Sum().Backward();

        Assert.Equal(expected, gradient);
        Assert.Equal(expected, reference);
        Assert.Equal(expected.Select(v => (double)v), x.Grad!.ToArray());
    }
}
