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
}

/// <summary>
/// Marks a parameter of a <see cref="DifferentiableAttribute"/> method as data: it is read as a constant
/// and gets no gradient output.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NoDerivativeAttribute : Attribute
{
}
