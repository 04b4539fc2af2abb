namespace Backprop.Tests.Ops;

/// <summary>Batch norm: finite differences in training (through the batch statistics) and eval mode, PyTorch's
/// running-statistics update, and small cases worked by hand.</summary>
public sealed class BatchNormTests
{
    private const double Tolerance = 1e-6;

    [Theory]
    [InlineData(new[] { 4, 3 }, true)]
    [InlineData(new[] { 2, 1 }, true)]
    [InlineData(new[] { 7, 2 }, false)]
    [InlineData(new[] { 2, 3, 4, 5 }, true)]
    [InlineData(new[] { 1, 2, 3, 2 }, true)]
    [InlineData(new[] { 3, 2, 2, 3 }, false)]
    public void Batch_norm_gradients_match_finite_differences(int[] shape, bool training)
    {
        var random = new Random(shape.Sum() * 10 + (training ? 1 : 0));
        int channels = shape[1];
        var input = RandomShapes.Values(random, shape);
        var weight = RandomShapes.Values(random, [channels], 0.5, 1.5);
        var bias = RandomShapes.Values(random, [channels]);
        var runningMean = RandomShapes.Values(random, [channels], -0.5, 0.5).ToArray();
        var runningVar = RandomShapes.Values(random, [channels], 0.5, 2.0).ToArray();
        // Fresh copies of the running statistics per evaluation, so updates in training mode cannot leak between them.
        Tensor<double> Loss() => FiniteDifferences.Weighted(Tensor<double>.BatchNorm(input, weight, bias,
            (double[])runningMean.Clone(), (double[])runningVar.Clone(), training), new Random(3));
        double error = FiniteDifferences.MaxRelativeError(Loss, input, weight, bias);
        Assert.True(error < Tolerance, $"max relative error {error}");
    }

    [Fact]
    public void Training_mode_matches_hand_computation_and_updates_running_statistics()
    {
        // One channel, values {0, 0, 2, 2}: mean 1, biased variance 1 (x̂ = ∓1), unbiased variance 4/3.
        var input = Tensor.FromArray(new[] { 0.0, 0, 2, 2 }, 4, 1).RequireGrad();
        var weight = Tensor.From(new[] { 2.0 }).RequireGrad();
        var bias = Tensor.From(new[] { 0.5 }).RequireGrad();
        double[] runningMean = [0.0], runningVar = [1.0];
        var output = Tensor<double>.BatchNorm(input, weight, bias, runningMean, runningVar, training: true, momentum: 0.1, eps: 0);
        output.Backward(Tensor.FromArray(new[] { 1.0, 0, 0, 0 }, 4, 1));

        Assert.Equal(new[] { -1.5, -1.5, 2.5, 2.5 }, output.ToArray());
        Assert.Equal(0.1, runningMean[0], 1e-15);                 // 0.9·0 + 0.1·1
        Assert.Equal(0.9 + 0.1 * 4.0 / 3.0, runningVar[0], 1e-15); // 0.9·1 + 0.1·4/3
        // dx = γ/σ·(g − mean g − x̂·mean(g·x̂)) = 2·([1,0,0,0] − ¼ − [−1,−1,1,1]·(−¼)) = [1, −1, 0, 0]
        Assert.Equal(new[] { 1.0, -1, 0, 0 }, input.Grad!.ToArray());
        Assert.Equal(new[] { -1.0 }, weight.Grad!.ToArray()); // Σ g·x̂
        Assert.Equal(new[] { 1.0 }, bias.Grad!.ToArray());    // Σ g
    }

    [Fact]
    public void Eval_mode_uses_and_keeps_the_running_statistics()
    {
        var input = Tensor.FromArray(new[] { 3.0, -1, 1, 5 }, 2, 2).RequireGrad();
        var weight = Tensor.From(new[] { 2.0, 1.0 }).RequireGrad();
        var bias = Tensor.From(new[] { 0.5, 0.0 }).RequireGrad();
        double[] runningMean = [1.0, 1.0], runningVar = [4.0, 16.0];
        var output = Tensor<double>.BatchNorm(input, weight, bias, runningMean, runningVar, training: false, eps: 0);
        output.Sum().Backward();

        // channel 0: (x − 1)/2·2 + 0.5;  channel 1: (x − 1)/4
        Assert.Equal(new[] { 2.5, -0.5, 0.5, 1.0 }, output.ToArray());
        Assert.Equal(new[] { 1.0, 1.0 }, runningMean);
        Assert.Equal(new[] { 4.0, 16.0 }, runningVar);
        Assert.Equal(new[] { 1.0, 0.25, 1.0, 0.25 }, input.Grad!.ToArray()); // γ/σ, the statistics being constants
        Assert.Equal(new[] { 1.0 + 0.0, -0.5 + 1.0 }, weight.Grad!.ToArray()); // Σ x̂
        Assert.Equal(new[] { 2.0, 2.0 }, bias.Grad!.ToArray());
    }

    [Fact]
    public void Four_d_batch_norm_is_two_d_batch_norm_over_every_pixel()
    {
        // [N, C, H, W] normalises each channel over N·H·W values: the same as [N·H·W, C] with pixels as samples.
        var random = new Random(5);
        int batch = 2, channels = 3, height = 2, width = 3, pixels = height * width;
        var image = RandomShapes.Values(random, [batch, channels, height, width]);
        var rows = Tensor.Zeros<double>(batch * pixels, channels);
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < pixels; p++) rows[n * pixels + p, c] = image.Data[(n * channels + c) * pixels + p];
        var weight = RandomShapes.Values(random, [channels]);
        var bias = RandomShapes.Values(random, [channels]);
        double[] mean4 = [0.1, 0.2, 0.3], var4 = [1, 2, 3], mean2 = [0.1, 0.2, 0.3], var2 = [1, 2, 3];
        var fromImage = Tensor<double>.BatchNorm(image, weight, bias, mean4, var4, training: true);
        var fromRows = Tensor<double>.BatchNorm(rows, weight, bias, mean2, var2, training: true);
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int p = 0; p < pixels; p++)
                    Assert.Equal(fromRows[n * pixels + p, c], fromImage.Data[(n * channels + c) * pixels + p], 1e-12);
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(mean2[c], mean4[c], 1e-12);
            Assert.Equal(var2[c], var4[c], 1e-12);
        }
    }

    [Fact]
    public void Float_batch_norm_agrees_with_double()
    {
        var random = new Random(9);
        var input = RandomShapes.Values(random, [3, 4, 2, 5]);
        var weight = RandomShapes.Values(random, [4]);
        var bias = RandomShapes.Values(random, [4]);
        double[] mean = [0, 0, 0, 0], variance = [1, 1, 1, 1];
        float[] meanF = [0, 0, 0, 0], varianceF = [1, 1, 1, 1];
        var expected = Tensor<double>.BatchNorm(input, weight, bias, mean, variance, training: true);
        var actual = Tensor<float>.BatchNorm(ToFloat(input), ToFloat(weight), ToFloat(bias), meanF, varianceF, training: true);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected.Data[i], actual.Data[i], 1e-5);
        for (int c = 0; c < 4; c++) Assert.Equal(variance[c], varianceF[c], 1e-5);
    }

    [Fact]
    public void Float_batch_norm_keeps_the_variance_of_data_far_from_zero()
    {
        // Pixels around 1000 that vary by ~0.1: a one-pass float sum of squares would lose the variance entirely
        // (1000² swamps 0.1²); two passes recover it, and the output is standardised.
        var random = new Random(4);
        int batch = 16, channels = 2, spatial = 64;
        var values = new float[batch * channels * spatial];
        for (int i = 0; i < values.Length; i++) values[i] = 1000f + (float)(random.NextDouble() - 0.5) * 0.35f;
        var input = Tensor.FromArray(values, batch, channels, 8, 8);
        float[] mean = [0, 0], variance = [1, 1];
        var output = Tensor<float>.BatchNorm(input, Tensor.FromArray(new[] { 1f, 1f }, 2), Tensor.FromArray(new[] { 0f, 0f }, 2),
            mean, variance, training: true, momentum: 1.0);
        for (int c = 0; c < channels; c++)
        {
            var plane = Enumerable.Range(0, batch).SelectMany(b => output.ToArray().Skip((b * channels + c) * spatial).Take(spatial)).ToArray();
            double m = plane.Average(v => (double)v), v2 = plane.Average(v => ((double)v - m) * ((double)v - m));
            Assert.InRange(m, -1e-3, 1e-3);
            Assert.InRange(v2, 0.99, 1.0);
            double expectedVariance = Enumerable.Range(0, batch).SelectMany(b => values.Skip((b * channels + c) * spatial).Take(spatial))
                .Select(v => (double)v).ToArray() is var raw ? raw.Sum(v => (v - raw.Average()) * (v - raw.Average())) / (raw.Length - 1) : 0;
            Assert.Equal(expectedVariance, variance[c], expectedVariance * 1e-3);
        }
    }

    [Theory]
    [InlineData(true)]   // [N, C, H, W]: plane by plane
    [InlineData(false)]  // [N, C]: row by row
    public void Batch_norm_adds_its_input_gradient_to_one_already_there(bool images)
    {
        // The first gradient to reach the input is handed over as a fresh array; a later one must add to it.
        var random = new Random(12);
        int[] shape = images ? [4, 3, 2, 2] : [5, 3];
        var values = RandomShapes.Values(random, shape);
        var weight = RandomShapes.Values(random, [3]);
        var bias = RandomShapes.Values(random, [3]);
        var upstream = RandomShapes.Values(random, shape);
        double[] Gradient(bool gradientAlreadyThere)
        {
            var x = values.Clone().RequireGrad();
            if (gradientAlreadyThere) (x * 2.0).Sum().Backward();
            Tensor<double>.BatchNorm(x, weight, bias, new double[3], [1, 1, 1], training: true).Backward(upstream);
            return x.Grad!.ToArray();
        }
        double[] alone = Gradient(false), added = Gradient(true);
        for (int i = 0; i < alone.Length; i++) Assert.Equal(alone[i] + 2.0, added[i], 1e-12);
    }

    [Fact]
    public void Batch_norm_rejects_bad_shapes_and_one_value_per_channel_in_training()
    {
        var weight = Tensor.Zeros<double>(3);
        double[] three = [0, 0, 0];
        Assert.Contains("[2, 3, 4]", Assert.Throws<ArgumentException>(() =>
            Tensor<double>.BatchNorm(Tensor.Zeros<double>(2, 3, 4), weight, weight, three, three, true)).Message);
        Assert.Contains("[3]", Assert.Throws<ArgumentException>(() =>
            Tensor<double>.BatchNorm(Tensor.Zeros<double>(2, 4), weight, weight, [0, 0, 0, 0], [0, 0, 0, 0], true)).Message);
        Assert.Throws<ArgumentException>(() => Tensor<double>.BatchNorm(Tensor.Zeros<double>(2, 3), weight, weight, [0, 0], three, true));
        Assert.Contains("[1, 3, 1, 1]", Assert.Throws<ArgumentException>(() =>
            Tensor<double>.BatchNorm(Tensor.Zeros<double>(1, 3, 1, 1), weight, weight, three, three, true)).Message);
        // eval mode needs no batch statistics, so one sample is fine there
        Tensor<double>.BatchNorm(Tensor.Zeros<double>(1, 3), weight, weight, three, [1, 1, 1], false);
    }

    private static Tensor<float> ToFloat(Tensor<double> tensor) =>
        Tensor.FromArray(tensor.ToArray().Select(v => (float)v).ToArray(), tensor.Shape.ToArray());
}
