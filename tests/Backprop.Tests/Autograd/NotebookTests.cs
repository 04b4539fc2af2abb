using Backprop.Nn;

namespace Backprop.Tests.Autograd;

/// <summary>The first hand-worked case: the seed notebook's 3-2-1 network, one SGD step.</summary>
public sealed class NotebookTests
{
    [Fact]
    public void Autograd_reproduces_the_notebook_gradients()
    {
        var hidden = new Linear<double>(Tensor.From(new[,] { { 0.1, 0.1, 0.6 }, { 0.16, 0.1, 0.5 } }), Tensor.From(new[] { -4.0, -2.0 }));
        var output = new Linear<double>(Tensor.From(new[,] { { 0.3, 0.4 } }), Tensor.From(new[] { 12.0 }));
        var network = new Sequential<double>(hidden, new ActivationLayer<double>(Activation.Sigmoid), output);

        var prediction = network.Forward(Tensor.From(new[] { 7.0, 2.0, 25.0 }));
        var loss = Loss.SquaredError(prediction, Tensor.From(new[] { 85.0 }));
        loss.Backward();

        Assert.Equal(12.699995020530949, prediction.Item(), 1e-12);
        Assert.Equal(5227.290720031249, loss.Item(), 1e-9);
        Assert.Equal(-0.002061946462793834, hidden.Weight.Grad![0, 0], 1e-15);
        Assert.Equal(-0.010636559099483672, hidden.Weight.Grad![1, 2], 1e-15);
        Assert.Equal(-144.59894629520394, output.Weight.Grad![0, 1], 1e-10);
        Assert.Equal(-144.6000099589381, output.Bias.Grad![0], 1e-10);
    }
}
