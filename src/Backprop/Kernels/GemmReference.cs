namespace Backprop.Kernels;

/// <summary>The plain triple loop that <see cref="Gemm"/> is tested against. Same contract, no tricks.</summary>
public static class GemmReference
{
    /// <summary>The plain triple loop that the float32 GEMM is tested against.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, bool accumulate = false)
    {
        Gemm.Validate(a.Length, b.Length, c.Length, m, n, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float aip = transposeA ? a[p * m + i] : a[i * k + p]; // op(A)[i, p]
                    float bpj = transposeB ? b[j * k + p] : b[p * n + j]; // op(B)[p, j]
                    sum += aip * bpj;
                }
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
        }
    }

    /// <summary>The plain triple loop that the float64 GEMM is tested against.</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, bool accumulate = false)
    {
        Gemm.Validate(a.Length, b.Length, c.Length, m, n, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double aip = transposeA ? a[p * m + i] : a[i * k + p]; // op(A)[i, p]
                    double bpj = transposeB ? b[j * k + p] : b[p * n + j]; // op(B)[p, j]
                    sum += aip * bpj;
                }
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
        }
    }
}
