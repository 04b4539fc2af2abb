namespace Backprop.Tests.Ops;

/// <summary>Convolution, pooling and batch norm: autograd against central finite differences in float64.</summary>
public sealed class CnnGradientTests
{
    [Theory]
    [InlineData(2, 3, 5, 6, 4, 3, 1, 0)]
    [InlineData(1, 2, 7, 5, 3, 3, 2, 1)]
    [InlineData(3, 1, 4, 4, 2, 2, 2, 0)]
    [InlineData(2, 2, 5, 5, 3, 1, 1, 2)]
    [InlineData(1, 4, 6, 3, 5, 3, 3, 1)]
    public void Conv2d_gradients_match_finite_differences(int batch, int inChannels, int height, int width, int outChannels, int kernel, int stride, int padding)
    {
        var random = new Random(batch * 100 + kernel * 10 + stride);
        var x = Tensor.Normal(random, 0.0, 1.0, batch, inChannels, height, width);
        var w = Tensor.Normal(random, 0.0, 1.0, outChannels, inChannels, kernel, kernel);
        var b = Tensor.Normal(random, 0.0, 1.0, outChannels);
        var probe = new Random(7);
        var weights = Tensor.Normal(probe, 0.0, 1.0, Tensor<double>.Conv2d(x, w, b, stride, padding).Shape.ToArray());

        double error = FiniteDifferences.MaxRelativeError(() => (Tensor<double>.Conv2d(x, w, b, stride, padding) * weights).Sum(), x, w, b);

        Assert.True(error < 1e-7, $"max relative error {error}");
    }

    [Theory]
    [InlineData(2, 3, 6, 6, 2, 2)]
    [InlineData(1, 2, 7, 5, 3, 2)]
    [InlineData(2, 1, 5, 5, 2, 1)]
    public void Pooling_gradients_match_finite_differences(int batch, int channels, int height, int width, int kernel, int stride)
    {
        var random = new Random(height * 10 + kernel);
        // Distinct values, so no window has a tie that a small step could flip.
        var values = Enumerable.Range(0, batch * channels * height * width).Select(i => (double)i).OrderBy(_ => random.Next()).ToArray();
        var x = Tensor.FromArray(values, batch, channels, height, width);
        var weights = Tensor.Normal(random, 0.0, 1.0, x.MaxPool2d(kernel, stride).Shape.ToArray());

        Assert.True(FiniteDifferences.MaxRelativeError(() => (x.MaxPool2d(kernel, stride) * weights).Sum(), x) < 1e-7);
        Assert.True(FiniteDifferences.MaxRelativeError(() => (x.AvgPool2d(kernel, stride) * weights).Sum(), x) < 1e-7);
    }

    [Theory]
    [InlineData(true, new[] { 5, 3 })]
    [InlineData(true, new[] { 3, 2, 4, 3 })]
    [InlineData(false, new[] { 5, 3 })]
    [InlineData(false, new[] { 2, 3, 3, 2 })]
    public void Batch_norm_gradients_match_finite_differences_in_training_and_inference(bool training, int[] shape)
    {
        var random = new Random(shape.Length * 10 + (training ? 1 : 0));
        int channels = shape[1];
        var x = Tensor.Normal(random, 0.5, 2.0, shape);
        var gamma = Tensor.Normal(random, 1.0, 0.5, channels);
        var beta = Tensor.Normal(random, 0.0, 1.0, channels);
        var runningMean = Enumerable.Range(0, channels).Select(c => 0.1 * c).ToArray();
        var runningVar = Enumerable.Range(0, channels).Select(c => 1.0 + 0.5 * c).ToArray();
        var weights = Tensor.Normal(random, 0.0, 1.0, shape);

        double error = FiniteDifferences.MaxRelativeError(
            () => (Tensor<double>.BatchNorm(x, gamma, beta, (double[])runningMean.Clone(), (double[])runningVar.Clone(), training) * weights).Sum(),
            x, gamma, beta);

        Assert.True(error < 1e-6, $"max relative error {error}");
    }
}
