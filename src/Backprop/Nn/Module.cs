using System.Numerics;

namespace Backprop.Nn;

/// <summary>A building block of a network: it maps a tensor to a tensor and lists its parameters.</summary>
public abstract class Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public abstract Tensor<T> Forward(Tensor<T> input);

    /// <summary>The trainable tensors, named as in a state dict ("0.weight", "0.bias", …).</summary>
    public virtual IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters() => [];

    public IEnumerable<Tensor<T>> Parameters() => NamedParameters().Select(pair => pair.Parameter);

    /// <summary>State that is not trained but is part of the model (batch norm's running statistics), named as
    /// <see cref="NamedParameters"/> names parameters.</summary>
    public virtual IEnumerable<(string Name, Tensor<T> Buffer)> NamedBuffers() => [];

    /// <summary>Whether the module behaves as in training (dropout, batch statistics) or inference.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Switches training behaviour on or off, for this module and every module inside it.</summary>
    public virtual void SetTraining(bool training) => Training = training;

    public void ZeroGrad()
    {
        foreach (var parameter in Parameters()) parameter.ZeroGrad();
    }

    public int ParameterCount() => Parameters().Sum(parameter => parameter.Length);
}
