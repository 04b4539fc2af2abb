using Backprop.Optim;

namespace Backprop.Tests.Optim;

public sealed class GradientClippingTests
{
    [Fact]
    public void Gradients_above_the_norm_are_scaled_down_to_it()
    {
        // ‖(3, 4, 12)‖ = 13, across two tensors
        var a = Tensor.Zeros<double>(2);
        var b = Tensor.Zeros<double>(1);
        a.Grad = Tensor.From(new[] { 3.0, 4.0 });
        b.Grad = Tensor.From(new[] { 12.0 });
        double norm = GradientClipping.ClipByGlobalNorm([a, b], 1.0);
        Assert.Equal(13.0, norm, 1e-15);
        double scale = 1.0 / (13.0 + 1e-6);
        Assert.Equal([3 * scale, 4 * scale], a.Grad.ToArray());
        Assert.Equal(12 * scale, b.Grad.Item());
    }

    [Fact]
    public void Gradients_below_the_norm_are_left_alone_and_missing_gradients_are_skipped()
    {
        var a = Tensor.Zeros<double>(2);
        var noGradient = Tensor.Zeros<double>(3);
        a.Grad = Tensor.From(new[] { 0.3, 0.4 });
        Assert.Equal(0.5, GradientClipping.ClipByGlobalNorm([a, noGradient], 1.0), 1e-15);
        Assert.Equal([0.3, 0.4], a.Grad.ToArray());
        Assert.Null(noGradient.Grad);
    }

    [Fact]
    public void A_non_finite_norm_is_returned_and_nothing_is_scaled()
    {
        var a = Tensor.Zeros<float>(2);
        a.Grad = Tensor.From(new[] { float.NaN, 1f });
        Assert.True(double.IsNaN(GradientClipping.ClipByGlobalNorm(new[] { a }.AsEnumerable(), 1.0)));
        Assert.Equal(1f, a.Grad[1]);
    }

    [Fact]
    public void Float32_gradients_whose_squares_overflow_are_still_clipped()
    {
        // 3e19² passes float32's 3.4e38: the float32 norm was ∞, and nothing was clipped
        var a = Tensor.Zeros<float>(2);
        a.Grad = Tensor.From(new[] { 3e19f, 4e19f });

        double norm = GradientClipping.ClipByGlobalNorm([a], 1.0);

        Assert.Equal(5e19, norm, 5e19 * 1e-6);
        Assert.Equal(0.6f, a.Grad[0], 1e-6f);
        Assert.Equal(0.8f, a.Grad[1], 1e-6f);
    }
}
