using System.Numerics;

namespace Backprop;

/// <summary>
/// One recorded operation: the tensors it read and the rule that sends its output's gradient back to them.
/// The rule accumulates (+=) into the inputs' <see cref="Tensor{T}.Grad"/>, as micrograd does, so a tensor
/// used twice receives both contributions.
/// </summary>
internal sealed class GradNode<T>(string operation, Tensor<T>[] inputs, Action<Tensor<T>> backward)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Operation { get; } = operation;
    public Tensor<T>[] Inputs { get; } = inputs;

    /// <summary>Receives the output's gradient; adds each input's share into that input's Grad.</summary>
    public Action<Tensor<T>> Backward { get; } = backward;
}
