using System.Numerics;
using System.Numerics.Tensors;

namespace Backprop.Optim;

/// <summary>Plain stochastic gradient descent: p ← p − lr·∂loss/∂p.</summary>
public sealed class Sgd<T>(IEnumerable<Tensor<T>> parameters, T learningRate) where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] parameters = parameters.ToArray();

    public T LearningRate { get; set; } = learningRate;

    public void Step()
    {
        foreach (var parameter in parameters)
        {
            if (parameter.Grad is null) continue;
            // p ← p + (−lr)·g, in one fused pass
            TensorPrimitives.MultiplyAdd(parameter.Grad.Data, -LearningRate, parameter.Data, parameter.Data);
        }
    }

    public void ZeroGrad()
    {
        foreach (var parameter in parameters) parameter.ZeroGrad();
    }
}
