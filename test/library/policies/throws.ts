// Throws at its first question: the run stops, naming the policy and the error.
export default {
  choose(): never {
    throw new Error('no capacity table for this cluster');
  },
};
