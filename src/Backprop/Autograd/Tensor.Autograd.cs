using System.Numerics;

namespace Backprop;

public sealed partial class Tensor<T>
{
    /// <summary>
    /// Reverse-mode differentiation from this scalar: seeds its gradient with 1 and walks the graph in
    /// reverse topological order. Leaves accumulate into their <see cref="Grad"/> over calls; the tensors in between
    /// hold this call's gradient only, so the graph may be walked again (two losses on one trunk add up as one sum would).
    /// </summary>
    public void Backward()
    {
        if (Length != 1) throw new InvalidOperationException($"Backward() starts from a scalar; this tensor has shape {ShapeMath.Format(Shape)}");
        Backward(Tensor.Full(T.One, shape));
    }

    /// <summary>Backward from a non-scalar output, given the gradient of the final result with respect to it.</summary>
    public void Backward(Tensor<T> outputGrad)
    {
        ArgumentNullException.ThrowIfNull(outputGrad);
        if (!ShapeMath.SameShape(outputGrad.Shape, Shape))
            throw new ArgumentException($"gradient shape {ShapeMath.Format(outputGrad.Shape)} differs from {ShapeMath.Format(Shape)}");
        if (!RequiresGrad)
            throw new InvalidOperationException("backward from a tensor that records no graph: none of the tensors it was computed from " +
                "was marked RequireGrad(), or it was computed under GradMode.NoGrad()");
        var order = TopologicalOrder();
        // NOTE: a non-leaf's Grad carries one pass's gradient on to its inputs (and is kept afterwards, for explain and
        // for a look, as PyTorch's retain_grad() keeps it). Left over from an earlier pass, it would be sent back again
        // with this one's added: a second backward through a shared trunk then counted the first one's gradients twice.
        // Leaves (parameters) still accumulate across passes, as in PyTorch.
        foreach (var tensor in order)
            if (tensor.Node is not null) tensor.Grad = null;
        AccumulateGrad(outputGrad.Data);
        using var _ = GradMode.NoGradOnThread();
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var tensor = order[i];
            if (tensor.Node is { } node && tensor.Grad is { } grad) node.Backward(grad);
        }
    }

    /// <summary>Every tensor this one depends on (through recorded ops), inputs before outputs.</summary>
    /// <remarks>NOTE: iterative depth-first search with an explicit stack, so a graph a million ops deep
    /// does not overflow the call stack.</remarks>
    public List<Tensor<T>> TopologicalOrder()
    {
        var order = new List<Tensor<T>>();
        var visited = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor<T> Tensor, int NextInput)>();
        stack.Push((this, 0));
        visited.Add(this);
        while (stack.Count > 0)
        {
            var (tensor, next) = stack.Pop();
            var inputs = tensor.Node?.Inputs ?? [];
            if (next < inputs.Length)
            {
                stack.Push((tensor, next + 1));
                var input = inputs[next];
                if (input.RequiresGrad && visited.Add(input)) stack.Push((input, 0));
            }
            else
            {
                order.Add(tensor);
            }
        }
        return order;
    }

    /// <summary>Adds <paramref name="gradient"/> (shaped like this tensor) into <see cref="Grad"/>.</summary>
    internal void AccumulateGrad(ReadOnlySpan<T> gradient)
    {
        Grad ??= Tensor.Zeros<T>(shape);
        System.Numerics.Tensors.TensorPrimitives.Add(Grad.Data, gradient, Grad.Data);
    }

    /// <summary>The gradient buffer, created as zeros when missing, for backward rules that write in place.</summary>
    internal Span<T> GradBuffer()
    {
        Grad ??= Tensor.Zeros<T>(shape);
        return Grad.Data;
    }

    /// <summary>Marks this tensor as a trainable leaf and returns it.</summary>
    public Tensor<T> RequireGrad()
    {
        RequiresGrad = true;
        return this;
    }

    /// <summary>Whether an op reading these inputs must be recorded (checked before building the backward rule,
    /// so inference pays nothing for autograd).</summary>
    internal static bool ShouldRecord(Tensor<T> a) => a.RequiresGrad && GradMode.IsEnabled;
    internal static bool ShouldRecord(Tensor<T> a, Tensor<T> b) => (a.RequiresGrad || b.RequiresGrad) && GradMode.IsEnabled;
    internal static bool ShouldRecord(Tensor<T> a, Tensor<T> b, Tensor<T>? c) =>
        (a.RequiresGrad || b.RequiresGrad || (c?.RequiresGrad ?? false)) && GradMode.IsEnabled;

    /// <summary>Records this tensor as the output of <paramref name="operation"/> on <paramref name="inputs"/>.</summary>
    internal Tensor<T> Recorded(string operation, Tensor<T>[] inputs, Action<Tensor<T>> backward)
    {
        RequiresGrad = true;
        Node = new GradNode<T>(operation, inputs, backward);
        return this;
    }
}
