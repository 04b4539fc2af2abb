namespace Backprop.Explain;

/// <summary>Copies the autograd graph behind a tensor into a <see cref="GraphTrace"/> (values and gradients as they are now).</summary>
internal static class GraphRecorder
{
    public static GraphTrace Record(Tensor<double> output)
    {
        // TopologicalOrder follows only inputs that require gradients; x and the target are read by ops
        // too, so they are added here, ahead of the op that reads them.
        var ids = new Dictionary<Tensor<double>, int>(ReferenceEqualityComparer.Instance);
        var nodes = new List<GraphNode>();
        foreach (var tensor in output.TopologicalOrder())
        {
            var inputs = tensor.Node?.Inputs ?? [];
            foreach (var input in inputs) Add(input, []);
            Add(tensor, inputs.Select(input => ids[input]).ToArray());
        }
        return new GraphTrace(nodes);

        void Add(Tensor<double> tensor, int[] inputIds)
        {
            if (ids.ContainsKey(tensor)) return;
            ids[tensor] = nodes.Count;
            nodes.Add(new GraphNode(nodes.Count, tensor.Label, tensor.Operation, tensor.Shape.ToArray(), tensor.ToArray(), tensor.Grad?.ToArray(), inputIds));
        }
    }
}
