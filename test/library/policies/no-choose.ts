// A default export without choose(): refused when the scenario is loaded for a run.
export default { pick: () => 0 };
