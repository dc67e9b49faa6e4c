/**
 * The cluster's name, for the cloud CLI commands in remediations (`aws eks … --cluster-name ml-prod`), read
 * from the kube context the way each cloud's CLI names it.
 */
export function clusterNameFromContext(context: string | undefined): string | undefined {
  if (!context) return undefined;
  // aws eks update-kubeconfig: arn:aws:eks:us-east-1:111122223333:cluster/ml-prod
  const arn = /^arn:aws[\w-]*:eks:[\w-]+:\d{12}:cluster\/([\w.-]+)$/.exec(context);
  if (arn) return arn[1];
  // eksctl: admin@ml-prod.us-east-1.eksctl.io
  const eksctl = /^[^@]+@([\w-]+)\.[\w-]+\.eksctl\.io$/.exec(context);
  if (eksctl) return eksctl[1];
  // gcloud container clusters get-credentials: gke_<project>_<location>_<name>
  const gke = /^gke_[\w-]+?_([a-z]+-[a-z]+\d+(?:-[a-z])?)_([\w-]+)$/.exec(context);
  if (gke) return gke[2];
  return undefined;
}

/** Fill `<cluster>` in a command when the name is known; otherwise leave the placeholder for the user. */
export function withClusterName(command: string, name: string | undefined): string {
  return name ? command.replaceAll('<cluster>', name) : command;
}
