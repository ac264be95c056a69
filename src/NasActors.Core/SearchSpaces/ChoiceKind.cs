namespace NasActors.Core.SearchSpaces;

/// <summary>The three NNI mutable kinds.</summary>
public enum ChoiceKind
{
    /// <summary>Pick one operation among candidate layers (NNI LayerChoice); exported as the candidate name.</summary>
    Layer,
    /// <summary>Pick <c>NChosen</c> inputs among candidates (NNI InputChoice); exported as an index or a list of indices.</summary>
    Input,
    /// <summary>Pick one value (NNI ValueChoice); exported as the value (number when it parses as one).</summary>
    Value,
}
