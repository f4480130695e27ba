//! deploy/: the Dockerfile, compose file and Kubernetes manifests, validated
//! offline by scripts/validate-deploy.py (Kubernetes schemas via
//! kubernetes-validate, the KEDA CRD fields, docker-compose config, and the
//! promises that tie them to the code).

use crate::support::repo;

#[test]
fn deploy_files_validate_offline_against_their_schemas() {
    let Ok(python) = std::env::var("AKHBAR_TEST_VALIDATE_PYTHON") else {
        akhbar::shared_data::skip(
            "AKHBAR_TEST_VALIDATE_PYTHON is not set (scripts/test.sh sets it up)",
        );
        return;
    };
    let bin = std::path::Path::new(&python)
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new(&python)
        .arg(repo("scripts/validate-deploy.py"))
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
