namespace SymbolicGrad;

/// <summary>
/// Marks a method whose gradient the SymbolicGrad source generator writes at build time.
/// </summary>
/// <remarks>
/// The method must return <see cref="double"/> (or <see cref="float"/>) and live in a <c>partial</c> type.
/// For a method <c>Name</c> the generator adds, in the same type, <c>NameGradient</c>: the original
/// parameters followed by one <c>out</c> gradient per differentiable parameter (<c>dX</c> for <c>x</c>),
/// returning the function's value; and <c>NameObjective</c>, which packs the differentiable parameters
/// into a vector so that gradient checking and the optimizers can use the method directly.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute
{
    /// <summary>
    /// Also generate exact second-order code (forward-over-reverse): the method's <c>NameObjective</c> then has
    /// <see cref="DifferentiableFunction.HasHessian"/> set, with exact Hessian-vector products and dense Hessians.
    /// Off by default so that ordinary builds do not pay for it.
    /// </summary>
    public bool Hessian { get; set; }

    /// <summary>
    /// Let the generated gradient call SIMD kernels (on <c>System.Numerics.Tensors.TensorPrimitives</c>) in place of loops
    /// that only add element-wise into arrays, such as the adjoint of a dot product (<c>dW[j * n + k] += x[k] * g</c>).
    /// The kernels compute exactly what the loops compute, element by element, so the gradient is the same to the last
    /// bit. On by default; set it to false to keep every loop as a loop (to step through it in a debugger).
    /// </summary>
    public bool Vectorize { get; set; } = true;

    /// <summary>
    /// Also let the kernels compute sums in the gradient (<c>s += w[k] * x[k]</c>, <c>s += x[k]</c> in a loop become one
    /// vectorized dot product or sum), as C compilers do under <c>-ffast-math</c>. Such a sum is added in a different
    /// order than the loop adds it, so the value the gradient method returns (and the gradient) may differ from calling
    /// the method in the last bits. Off by default; turn it on for dense models (a layer's dot products), where it is
    /// several times faster.
    /// </summary>
    public bool Reassociate { get; set; }
}

/// <summary>
/// Marks a parameter of a <see cref="DifferentiableAttribute"/> method as data: it is read as a constant
/// and gets no gradient output.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NoDerivativeAttribute : Attribute
{
}

/// <summary>
/// Gives a function a derivative written by hand: the generator calls the named method wherever a
/// <see cref="DifferentiableAttribute"/> method calls this one, instead of looking inside it. Use it for what the generator
/// cannot or should not see into: a P/Invoke, a special function (erf, log Γ), a numerically stable form.
/// </summary>
/// <remarks>
/// The derivative method lives in the same type and has the shape of a generated gradient: the function's parameters,
/// then <c>out T dP</c> for each differentiable parameter <c>p</c> (a <c>Span&lt;T&gt;</c> for an array), and it returns the
/// function's value. For example:
/// <code>
/// [CustomDerivative(nameof(ErfGradient))]
/// public static double Erf(double x) => SpecialFunctions.Erf(x);
/// public static double ErfGradient(double x, out double dX) { dX = 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x); return Erf(x); }
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CustomDerivativeAttribute : Attribute
{
    /// <summary>Names the method that computes the value and the partial derivatives.</summary>
    /// <param name="gradientMethod">The method's name, e.g. <c>nameof(ErfGradient)</c>.</param>
    public CustomDerivativeAttribute(string gradientMethod) => GradientMethod = gradientMethod;

    /// <summary>The method that computes the value and the partial derivatives.</summary>
    public string GradientMethod { get; }
}

/// <summary>
/// Marks a field or auto-property of a model class as a trainable parameter: a <see cref="DifferentiableAttribute"/>
/// instance method that reads it is differentiated with respect to it, like a parameter. Its gradient comes out of
/// <c>NameGradient</c> after the method's own (an <c>out double</c>, or a <c>Span&lt;double&gt;</c> for an array), and
/// <c>NameObjective</c> packs it into the vector (reading and writing the member, so optimizers train the model in place).
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class TrainableAttribute : Attribute
{
}
